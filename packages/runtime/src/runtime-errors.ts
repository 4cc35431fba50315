/**
 * Errors the runtime raises itself, with the fixed names Lambda reports as
 * `errorType`. They never cross the port as instances: `toErrorShape` turns
 * them into plain `{errorType, errorMessage, trace}` objects.
 */
function runtimeError(errorType: string) {
  return class extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
      super(message, options)
      this.name = errorType
      if (options?.cause instanceof Error && options.cause.stack) {
        this.stack = `${errorType}: ${message}\n${options.cause.stack}`
      }
    }
  }
}

export const ImportModuleError = runtimeError('Runtime.ImportModuleError')
export const UserCodeSyntaxError = runtimeError('Runtime.UserCodeSyntaxError')
export const HandlerNotFound = runtimeError('Runtime.HandlerNotFound')
export const MalformedHandlerName = runtimeError('Runtime.MalformedHandlerName')
export const SerializationError = runtimeError('Runtime.SerializationError')
export const ResponseSizeTooLarge = runtimeError('Function.ResponseSizeTooLarge')
export const UnhandledPromiseRejection = runtimeError('Runtime.UnhandledPromiseRejection')
export const InvalidStreamingOperation = runtimeError('Runtime.InvalidStreamingOperation')
export const MalformedStreamingHandler = runtimeError('Runtime.MalformedStreamingHandler')
