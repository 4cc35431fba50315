import { queueNameProblem, queueSettingsProblems } from '@lambdalet/events'
import { describeValue, keyPath } from './config-error.js'

/**
 * The top-level `queues` of a config file: `{ "orders": { "visibilityTimeoutSeconds": 30,
 * "maxReceiveCount": 5, "deadLetterQueue": "orders-dlq" }, "orders-dlq": {} }`.
 * Lists every problem as `queues.orders.key: …`.
 */
export function queuesProblems(raw: unknown): string[] {
  if (raw === undefined) return []
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [`queues: expected an object of queue name → settings, got ${describeValue(raw)}`]
  }
  const names = new Set(Object.keys(raw))
  const issues: string[] = []
  for (const [name, settings] of Object.entries(raw)) {
    const at = keyPath('queues', name)
    const problem = queueNameProblem(name)
    if (problem !== null) issues.push(`${at}: ${problem}`)
    issues.push(...queueSettingsProblems(settings, (queue) => names.has(queue)).map((p) => `${at}.${p}`))
  }
  return issues
}

/** The queue names a config file defines, for checking what refers to them. */
export function queueNames(raw: unknown): Set<string> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? new Set(Object.keys(raw)) : new Set()
}
