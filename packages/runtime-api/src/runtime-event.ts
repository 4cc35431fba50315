import { randomBytes } from 'node:crypto'
import type { InvokeMessage } from '@lambdalet/protocol'

/** The headers of a `/next` answer, as the Runtime API names them. */
export const InvokeHeader = {
  RequestId: 'Lambda-Runtime-Aws-Request-Id',
  DeadlineMs: 'Lambda-Runtime-Deadline-Ms',
  InvokedFunctionArn: 'Lambda-Runtime-Invoked-Function-Arn',
  TraceId: 'Lambda-Runtime-Trace-Id',
  ClientContext: 'Lambda-Runtime-Client-Context',
  CognitoIdentity: 'Lambda-Runtime-Cognito-Identity',
} as const

/**
 * The answer to one `/next`. Every header a client may require is always
 * there: the official Node client crashes (a null pointer in aws-lambda-cpp)
 * on an answer without `Content-Type`, and Bun's runtime exits without a
 * trace id or an ARN.
 */
export function eventResponse(event: InvokeMessage, invokedFunctionArn: string): Response {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [InvokeHeader.RequestId]: event.requestId,
    [InvokeHeader.DeadlineMs]: String(event.deadlineMs),
    [InvokeHeader.InvokedFunctionArn]: invokedFunctionArn,
    [InvokeHeader.TraceId]: event.traceId ?? newTraceId(),
  }
  if (event.clientContext !== undefined) headers[InvokeHeader.ClientContext] = JSON.stringify(event.clientContext)
  if (event.identity !== undefined) headers[InvokeHeader.CognitoIdentity] = JSON.stringify(event.identity)
  return new Response(event.event, { status: 200, headers })
}

/** An X-Ray trace header of Lambda's form, not sampled, for an invocation the caller sent none for. */
function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16)
  const random = randomBytes(20).toString('hex')
  return `Root=1-${epoch}-${random.slice(0, 24)};Parent=${random.slice(24)};Sampled=0`
}
