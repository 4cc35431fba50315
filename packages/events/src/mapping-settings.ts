/** An SQS event source mapping: which queue feeds which function, and how (Lambda's parameters, lower camel case). */
export interface QueueMapping {
  functionName: string
  queue: string
  /** Records per invocation: 1 to 10000, default 10; above 10 needs a batching window of at least 1 s. */
  batchSize?: number
  /** How long to gather a batch: 0 to 300 s, default 0 (invoke with what the first receive found). */
  maximumBatchingWindowInSeconds?: number
  /** `["ReportBatchItemFailures"]`: the handler's `batchItemFailures` leave only those messages. */
  functionResponseTypes?: string[]
  /** Batches of this mapping running at once: 2 to 1000; default: as many as the function has room for. */
  maximumConcurrency?: number
}

export const MAPPING_RANGES = {
  batchSize: { min: 1, max: 10_000, default: 10 },
  maximumBatchingWindowInSeconds: { min: 0, max: 300, default: 0 },
  maximumConcurrency: { min: 2, max: 1000 },
} as const

const KEYS = ['sqs', 'batchSize', 'maximumBatchingWindowInSeconds', 'functionResponseTypes', 'maximumConcurrency']

/**
 * Checks a mapping as a config file writes it (`{ "sqs": "orders", … }`)
 * and lists every problem as `key: expected …, got …`.
 */
export function mappingProblems(raw: Record<string, unknown>, isQueue: (name: string) => boolean): string[] {
  const problems: string[] = []
  const queue = raw['sqs']
  if (typeof queue !== 'string' || !isQueue(queue)) {
    problems.push(`sqs: expected the name of a queue defined in "queues", got ${show(queue)}`)
  }
  for (const key of ['batchSize', 'maximumBatchingWindowInSeconds', 'maximumConcurrency'] as const) {
    const value = raw[key]
    const range = MAPPING_RANGES[key]
    if (
      value !== undefined &&
      !(typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max)
    ) {
      problems.push(`${key}: expected an integer from ${range.min} to ${range.max}, got ${show(value)}`)
    }
  }
  const batchSize = raw['batchSize']
  const window = raw['maximumBatchingWindowInSeconds']
  if (typeof batchSize === 'number' && batchSize > 10 && !(typeof window === 'number' && window >= 1)) {
    problems.push(
      `maximumBatchingWindowInSeconds: expected at least 1 when batchSize is over 10 (as Lambda requires), got ${show(window)}`,
    )
  }
  const types = raw['functionResponseTypes']
  if (types !== undefined && !(Array.isArray(types) && types.every((type) => type === 'ReportBatchItemFailures'))) {
    problems.push(`functionResponseTypes: expected [] or ["ReportBatchItemFailures"], got ${show(types)}`)
  }
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) problems.push(`${key}: unknown key (expected one of ${KEYS.join(', ')})`)
  }
  return problems
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  return JSON.stringify(value) ?? String(value)
}
