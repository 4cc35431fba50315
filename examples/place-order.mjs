import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'

// POST /orders: puts the order on the `orders` queue with the AWS SDK, as a
// handler on AWS would, and answers 202. `order-worker` takes it from there.
// The client is made as on AWS, with nothing local in it: lambdalet serve
// gives the function AWS_ENDPOINT_URL_SQS (the server itself), AWS_REGION
// and credentials, which the SDK picks up.
const sqs = new SQSClient({})

export const handler = async (event) => {
  let order
  try {
    order = JSON.parse(event.body ?? '')
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'expected a JSON order' }) }
  }
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))
  const { MessageId } = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: JSON.stringify(order),
      MessageAttributes: { source: { DataType: 'String', StringValue: 'place-order' } },
    }),
  )
  return { statusCode: 202, body: JSON.stringify({ messageId: MessageId }) }
}
