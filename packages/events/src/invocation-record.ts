import type { RawInvokeResult } from '@lambdalet/protocol'

export type RecordCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded'

/**
 * Lambda's invocation record, as a destination receives it, built as JSON
 * text: the event and the result already are JSON, so they are spliced in
 * rather than parsed and encoded again.
 */
export function invocationRecord(input: {
  requestId: string
  functionArn: string
  condition: RecordCondition
  approximateInvokeCount: number
  requestPayload: string
  /** The last run's answer; absent when the event expired before a run answered. */
  response: Pick<RawInvokeResult, 'payload' | 'functionError' | 'executedVersion'> | undefined
  timestamp: Date
}): string {
  const requestContext = {
    requestId: input.requestId,
    functionArn: `${input.functionArn}:$LATEST`,
    condition: input.condition,
    approximateInvokeCount: input.approximateInvokeCount,
  }
  const head =
    `{"version":"1.0","timestamp":${JSON.stringify(input.timestamp.toISOString())},` +
    `"requestContext":${JSON.stringify(requestContext)},"requestPayload":${input.requestPayload}`
  const { response } = input
  if (response === undefined) return `${head}}`
  const responseContext: { statusCode: number; executedVersion: string; functionError?: string } = {
    statusCode: 200,
    executedVersion: response.executedVersion,
  }
  if (response.functionError) responseContext.functionError = 'Unhandled'
  return `${head},"responseContext":${JSON.stringify(responseContext)},"responsePayload":${response.payload}}`
}
