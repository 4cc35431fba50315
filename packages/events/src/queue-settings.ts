/** A queue's settings, as the config file names them (SQS's attributes in lower camel case). */
export interface QueueSettings {
  /** How long a received message stays hidden: 0 to 43200 s, default 30. */
  visibilityTimeoutSeconds?: number
  /** Receipts after which a message moves to `deadLetterQueue` instead: 1 to 1000. */
  maxReceiveCount?: number
  /** Another queue of this server; given together with `maxReceiveCount`. */
  deadLetterQueue?: string
  /** How long a new message waits before it can be received: 0 to 900 s, default 0. */
  delaySeconds?: number
  /** The default long-poll wait of ReceiveMessage: 0 to 20 s, default 0. */
  receiveMessageWaitTimeSeconds?: number
}

export const QUEUE_RANGES = {
  visibilityTimeoutSeconds: { min: 0, max: 43_200 },
  maxReceiveCount: { min: 1, max: 1000 },
  delaySeconds: { min: 0, max: 900 },
  receiveMessageWaitTimeSeconds: { min: 0, max: 20 },
} as const

export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30

/** SQS's rule for standard queue names. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/

/** `null` when `name` can name a queue here, else why not. */
export function queueNameProblem(name: string): string | null {
  if (name.endsWith('.fifo')) {
    return `FIFO queues are not supported by lambdalet; "${name}" would be one (use a standard queue name without .fifo)`
  }
  return QUEUE_NAME.test(name) && name !== '__proto__'
    ? null
    : `expected a queue name of 1 to 80 letters, digits, "-" or "_", got ${JSON.stringify(name)}`
}

/**
 * Checks one queue's settings and lists every problem as `key: expected …,
 * got …`. `isQueue` says whether a dead-letter queue names a queue.
 */
export function queueSettingsProblems(raw: unknown, isQueue: (name: string) => boolean): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [`expected an object of queue settings, got ${show(raw)}`]
  }
  const problems: string[] = []
  const value = raw as Record<string, unknown>
  for (const [key, got] of Object.entries(value)) {
    if (key === 'deadLetterQueue') {
      if (typeof got !== 'string' || !isQueue(got))
        problems.push(`deadLetterQueue: expected a queue defined here, got ${show(got)}`)
      continue
    }
    const range = Object.hasOwn(QUEUE_RANGES, key) ? QUEUE_RANGES[key as keyof typeof QUEUE_RANGES] : undefined
    if (range === undefined) {
      problems.push(
        `${key}: unknown key (expected one of ${[...Object.keys(QUEUE_RANGES), 'deadLetterQueue'].join(', ')})`,
      )
    } else if (typeof got !== 'number' || !Number.isInteger(got) || got < range.min || got > range.max) {
      problems.push(`${key}: expected an integer from ${range.min} to ${range.max}, got ${show(got)}`)
    }
  }
  if ((value['deadLetterQueue'] === undefined) !== (value['maxReceiveCount'] === undefined)) {
    problems.push('deadLetterQueue and maxReceiveCount: expected both or neither (they make the redrive policy)')
  }
  return problems
}

/**
 * CreateQueue's attributes as settings; every attribute lambdalet does not
 * act on is refused rather than silently ignored.
 */
export function settingsFromAttributes(
  attributes: Readonly<Record<string, string>>,
  queueOfArn: (arn: string) => string | null,
):
  | { ok: true; settings: QueueSettings }
  | { ok: false; code: 'InvalidAttributeName' | 'InvalidAttributeValue'; message: string } {
  const settings: QueueSettings = {}
  const integer = (text: string): number | null => (/^\d{1,6}$/.test(text) ? Number(text) : null)
  for (const [name, text] of Object.entries(attributes)) {
    const field = {
      VisibilityTimeout: 'visibilityTimeoutSeconds',
      DelaySeconds: 'delaySeconds',
      ReceiveMessageWaitTimeSeconds: 'receiveMessageWaitTimeSeconds',
    }[name] as 'visibilityTimeoutSeconds' | 'delaySeconds' | 'receiveMessageWaitTimeSeconds' | undefined
    if (field !== undefined) {
      const n = integer(String(text))
      const range = QUEUE_RANGES[field]
      if (n === null || n < range.min || n > range.max) {
        return { ok: false, code: 'InvalidAttributeValue', message: `Invalid value for the parameter ${name}.` }
      }
      settings[field] = n
    } else if (name === 'RedrivePolicy') {
      let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
      try {
        policy = JSON.parse(String(text)) as typeof policy
      } catch {
        return {
          ok: false,
          code: 'InvalidAttributeValue',
          message: 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.',
        }
      }
      const target = typeof policy?.deadLetterTargetArn === 'string' ? queueOfArn(policy.deadLetterTargetArn) : null
      const count = Number(policy?.maxReceiveCount)
      if (target === null) {
        return {
          ok: false,
          code: 'InvalidAttributeValue',
          message: 'Value for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.',
        }
      }
      if (!Number.isInteger(count) || count < 1 || count > 1000) {
        return {
          ok: false,
          code: 'InvalidAttributeValue',
          message:
            'Value for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 1 to 1000.',
        }
      }
      settings.deadLetterQueue = target
      settings.maxReceiveCount = count
    } else if (name !== 'MessageRetentionPeriod' && name !== 'MaximumMessageSize') {
      // Retention and size are accepted for compatibility (the fixed 1 MiB limit and no expiry apply).
      return { ok: false, code: 'InvalidAttributeName', message: `Unknown or unsupported attribute ${name}.` }
    }
  }
  return { ok: true, settings }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  return JSON.stringify(value) ?? String(value)
}
