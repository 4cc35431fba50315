// The smallest handler: an async function of (event, context).
export const handler = async (event, context) => {
  const name = typeof event?.name === 'string' ? event.name : 'world'
  console.log(`greeting ${name}`)
  return { message: `Hello, ${name}!`, requestId: context.awsRequestId }
}
