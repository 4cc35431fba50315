import type { InvokeOptions, Invoker, StreamingInvokeResult } from '@lambdalet/protocol'
import type { Lifecycle } from './lifecycle.js'

/**
 * The streaming call, or, from an invoker that cannot stream, its buffered
 * result. A stream that began counts as in flight for `lifecycle` until
 * its invocation settles, though its handler returns the response at once.
 */
export async function streamInvoke(
  invoker: Invoker,
  name: string,
  payload: string,
  options: InvokeOptions,
  lifecycle: Lifecycle | undefined,
): Promise<StreamingInvokeResult> {
  if (invoker.invokeStreamRaw === undefined) {
    return { streamed: false, result: await invoker.invokeRaw(name, payload, options) }
  }
  const head = await invoker.invokeStreamRaw(name, payload, options)
  if (head.streamed) lifecycle?.holdUntil(head.completion)
  return head
}
