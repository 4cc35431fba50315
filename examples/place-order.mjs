import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'

// POST /orders: puts the order on the `orders` queue with the AWS SDK, as a
// handler on AWS would, and answers 202. `order-worker` takes it from there.
// The SDK talks to lambdalet itself: AWS_ENDPOINT_URL_SQS when it is set,
// else the server this request came in on.
const clients = new Map()

function sqsFor(endpoint) {
  let client = clients.get(endpoint)
  if (client === undefined) {
    // Any credentials do: lambdalet does not check SigV4 signatures.
    client = new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    clients.set(endpoint, client)
  }
  return client
}

export const handler = async (event) => {
  let order
  try {
    order = JSON.parse(event.body ?? '')
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'expected a JSON order' }) }
  }
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS ?? `http://${event.headers.host}`
  const { MessageId } = await sqsFor(endpoint).send(
    new SendMessageCommand({
      QueueUrl: `${endpoint}/000000000000/orders`,
      MessageBody: JSON.stringify(order),
      MessageAttributes: { source: { DataType: 'String', StringValue: 'place-order' } },
    }),
  )
  return { statusCode: 202, body: JSON.stringify({ messageId: MessageId }) }
}
