import type { LambdaContext } from './context.js'
import type { Handler } from './load-handler.js'

let warnedAboutCallbacks = false

/**
 * Calls the handler and waits for its outcome. A handler declaring three
 * parameters is callback-style: it settles through the callback or, if it
 * returns one, through its promise, whichever comes first.
 */
export function invokeHandler(handler: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  if (handler.length < 3) {
    try {
      return Promise.resolve(handler(event, context))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  if (!warnedAboutCallbacks) {
    warnedAboutCallbacks = true
    console.warn(
      'Callback-style handlers (event, context, callback) are not supported by AWS Lambda from the nodejs24.x runtime on; use an async handler.',
    )
  }
  return new Promise((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => {
      if (error !== null && error !== undefined) reject(error)
      else resolve(result)
    }
    try {
      const returned = handler(event, context, callback)
      if (isThenable(returned)) returned.then(resolve, reject)
    } catch (error) {
      reject(error)
    }
  })
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
