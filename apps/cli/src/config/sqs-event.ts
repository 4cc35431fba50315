import { mappingProblems, type QueueMapping } from '@lambdalet/events'
import { describeValue } from './config-error.js'

/** Whether an entry of a function's `events` is an SQS event source mapping: `{ "sqs": "orders", … }`. */
export function isSqsEvent(entry: unknown): entry is Record<string, unknown> & { sqs: unknown } {
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

/** An `events` entry this version does not know. */
export function unknownEventProblem(path: string, entry: unknown): string {
  return `${path}: expected an event source such as { "sqs": "queue-name" }, got ${describeValue(entry)}`
}
