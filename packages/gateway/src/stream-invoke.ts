import type { InvokeOptions, Invoker, StreamingInvokeResult } from '@lambdalet/protocol'

/** The streaming call, or, from an invoker that cannot stream, its buffered result. */
export async function streamInvoke(
  invoker: Invoker,
  name: string,
  payload: string,
  options: InvokeOptions,
): Promise<StreamingInvokeResult> {
  if (invoker.invokeStreamRaw !== undefined) return invoker.invokeStreamRaw(name, payload, options)
  return { streamed: false, result: await invoker.invokeRaw(name, payload, options) }
}
