// The smallest handler: an async function of (event, context). Invoked
// directly the event is `{ "name": "…" }`; through GET /hello?name=… it is an
// HTTP API event, so the name comes from the query string.
export const handler = async (event, context) => {
  const name = event?.queryStringParameters?.name ?? (typeof event?.name === 'string' ? event.name : 'world')
  const greeting = process.env.GREETING ?? 'Hello'
  console.log(`greeting ${name}`)
  return { message: `${greeting}, ${name}!`, requestId: context.awsRequestId }
}
