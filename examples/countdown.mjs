// Response streaming, as on Lambda: `awslambda.streamifyResponse` hands the
// handler a stream, and each write reaches the client as it happens. Try
// `curl -N http://127.0.0.1:3000/countdown`: one line every half second.
// `HttpResponseStream.from` sets the HTTP status and headers first, the way
// a Lambda Function URL in RESPONSE_STREAM mode reads them.
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const delayMs = Number(event.queryStringParameters?.delayMs ?? 500)
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })
  for (const line of ['3', '2', '1', 'liftoff']) {
    stream.write(`${line}\n`)
    await new Promise((resolve) => setTimeout(resolve, delayMs))
  }
  stream.end()
})
