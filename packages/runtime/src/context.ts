import type { InvokeMessage, RuntimeConfig } from '@lambdalet/protocol'

/** The Lambda `context` object handed to the handler. */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean
  functionName: string
  functionVersion: string
  invokedFunctionArn: string
  memoryLimitInMB: string
  awsRequestId: string
  logGroupName: string
  logStreamName: string
  identity: InvokeMessage['identity']
  clientContext: InvokeMessage['clientContext']
  getRemainingTimeInMillis(): number
}

export function createContext(config: RuntimeConfig, invoke: InvokeMessage): LambdaContext {
  const deadlineMs = invoke.deadlineMs
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    invokedFunctionArn: config.invokedFunctionArn,
    memoryLimitInMB: String(config.memoryLimitInMB),
    awsRequestId: invoke.requestId,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    identity: invoke.identity,
    clientContext: invoke.clientContext,
    getRemainingTimeInMillis: () => Math.max(deadlineMs - Date.now(), 0),
  }
}
