/** The shape of every error that crosses the port or the wire, as in Lambda. */
export interface ErrorShape {
  errorType: string
  errorMessage: string
  trace: string[]
}

/** Lambda's error types, as a caller sees them in `errorType`. */
export const ErrorType = {
  Timeout: 'Sandbox.Timedout',
  ExitError: 'Runtime.ExitError',
  OutOfMemory: 'Runtime.OutOfMemory',
  UnhandledPromiseRejection: 'Runtime.UnhandledPromiseRejection',
  ImportModuleError: 'Runtime.ImportModuleError',
  UserCodeSyntaxError: 'Runtime.UserCodeSyntaxError',
  HandlerNotFound: 'Runtime.HandlerNotFound',
  SerializationError: 'Runtime.SerializationError',
  ResponseSizeTooLarge: 'Function.ResponseSizeTooLarge',
  ResourceNotFound: 'ResourceNotFoundException',
  TooManyRequests: 'TooManyRequestsException',
  RequestTooLarge: 'RequestTooLargeException',
  InvalidRequestContent: 'InvalidRequestContentException',
  InvalidParameterValue: 'InvalidParameterValueException',
  ServiceUnavailable: 'ServiceException',
} as const

export type KnownErrorType = (typeof ErrorType)[keyof typeof ErrorType]

/** Service (API) errors and the HTTP status Lambda answers them with. */
const serviceStatus: Record<string, number> = {
  [ErrorType.ResourceNotFound]: 404,
  [ErrorType.TooManyRequests]: 429,
  [ErrorType.RequestTooLarge]: 413,
  [ErrorType.InvalidRequestContent]: 400,
  [ErrorType.InvalidParameterValue]: 400,
  [ErrorType.ServiceUnavailable]: 503,
}

/** The HTTP status of a service error, or `undefined` for a function error. */
export function serviceErrorStatus(errorType: string): number | undefined {
  return serviceStatus[errorType]
}

/**
 * What `invoke` rejects with: an `Error` whose `name` is the Lambda error
 * type, carrying the Lambda fields. Errors are matched by `errorType`,
 * never by `instanceof` (they cross threads as plain objects).
 */
export class LambdaError extends Error implements ErrorShape {
  readonly errorType: string
  readonly errorMessage: string
  readonly trace: string[]
  requestId: string | undefined
  /** Set for service errors: the HTTP status Lambda would answer with. */
  readonly statusCode: number | undefined
  /** `TooManyRequestsException` carries why, as Lambda's `Reason`. */
  readonly reason: string | undefined

  constructor(shape: ErrorShape, details: { requestId?: string; reason?: string } = {}) {
    super(shape.errorMessage)
    this.name = shape.errorType
    this.errorType = shape.errorType
    this.errorMessage = shape.errorMessage
    this.trace = shape.trace
    this.requestId = details.requestId
    this.statusCode = serviceErrorStatus(shape.errorType)
    this.reason = details.reason
  }

  toJSON(): ErrorShape {
    return { errorType: this.errorType, errorMessage: this.errorMessage, trace: this.trace }
  }
}

/** A service error (throttle, not found, …): no trace, a status code. */
export function serviceError(
  errorType: string,
  errorMessage: string,
  details: { requestId?: string; reason?: string } = {},
): LambdaError {
  return new LambdaError({ errorType, errorMessage, trace: [] }, details)
}

export function isLambdaError(value: unknown): value is LambdaError {
  return (
    value instanceof Error &&
    typeof (value as Partial<LambdaError>).errorType === 'string' &&
    typeof (value as Partial<LambdaError>).errorMessage === 'string'
  )
}

/**
 * Turns anything thrown into Lambda's error shape: an `Error` keeps its
 * `name` as `errorType`; any other value is reported by its `typeof`, as the
 * Lambda Node.js runtime does.
 */
export function toErrorShape(thrown: unknown, fallbackType?: string): ErrorShape {
  if (thrown instanceof Error) {
    const stack = typeof thrown.stack === 'string' ? thrown.stack.split('\n') : []
    return {
      errorType: fallbackType ?? (thrown.name || 'Error'),
      errorMessage: String(thrown.message),
      trace: stack,
    }
  }
  let message: string
  try {
    message = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown))
  } catch {
    message = String(thrown)
  }
  return { errorType: fallbackType ?? typeof thrown, errorMessage: message, trace: [] }
}
