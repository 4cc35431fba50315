import { format } from 'node:util'
import type { MessagePort } from 'node:worker_threads'
import type { LogLevel, LogMessage } from '@lambdalet/protocol'

/**
 * Sends every `console.*` call over the port, tagged with the request id of
 * the invocation running at the time. A terminated worker's stdout is lost,
 * the port's messages are not; and the host needs the lines per invocation
 * for `LogType: Tail`.
 */
export function captureConsole(port: MessagePort, currentRequestId: () => string | null): void {
  const send = (level: LogLevel) =>
    function log(...args: unknown[]): void {
      const message: LogMessage = {
        type: 'log',
        requestId: currentRequestId(),
        level,
        message: format(...args),
        time: Date.now(),
      }
      port.postMessage(message)
    }
  console.log = send('INFO')
  console.info = send('INFO')
  console.warn = send('WARN')
  console.error = send('ERROR')
  console.debug = send('DEBUG')
  console.trace = function trace(...args: unknown[]): void {
    const stack = new Error().stack?.split('\n').slice(2).join('\n') ?? ''
    send('TRACE')(`Trace: ${format(...args)}\n${stack}`)
  }
}
