/**
 * An Invoker with no host behind it: it runs `handler` inline on the main
 * thread, parsing the event and stringifying the result as the runtime
 * does, so that what the gateway costs on its own is measurable.
 */
export function inlineInvoker(name, handler) {
  return {
    async invokeRaw(_name, payload, options) {
      const result = await handler(JSON.parse(payload), {})
      return {
        requestId: options?.requestId ?? 'inline',
        payload: JSON.stringify(result),
        functionError: false,
        executedVersion: '$LATEST',
      }
    },
    hasFunction: (candidate) => candidate === name,
    functionNames: () => [name],
    stats: () => ({ functions: {}, concurrentExecutions: 0, threads: 0, closing: false }),
  }
}
