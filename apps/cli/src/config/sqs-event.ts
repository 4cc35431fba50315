import { mappingProblems, type QueueMapping } from '@lambdalet/events'

/** An SQS event source mapping as a config file writes it: `{ "sqs": "orders", "batchSize": 10, … }`. */
export type SqsEventEntry = { sqs: string } & Record<string, unknown>

/** Whether an entry of a function's `events` is an SQS event source mapping. */
export function isSqsEvent(entry: unknown): entry is SqsEventEntry {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) && Object.hasOwn(entry, 'sqs')
}

/** Checks one `{ "sqs": … }` entry at `path` against the queues the file defines. */
export function sqsEventProblems(path: string, entry: Record<string, unknown>, queues: ReadonlySet<string>): string[] {
  return mappingProblems(entry, (name) => queues.has(name)).map((problem) => `${path}.${problem}`)
}

/** The mapping a checked entry describes, for `functionName`. */
export function sqsMapping(functionName: string, entry: Record<string, unknown>): QueueMapping {
  const { sqs, ...settings } = entry
  return { functionName, queue: sqs as string, ...(settings as Omit<QueueMapping, 'functionName' | 'queue'>) }
}
