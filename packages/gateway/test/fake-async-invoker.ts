import type { AsyncInvoker, EventInvokeConfig, EventInvokeConfigEntry } from '@lambdalet/protocol'

export interface FakeAsyncInvoker extends AsyncInvoker {
  accepted: Array<{ name: string; payload: string; requestId: string | undefined }>
  configs: Map<string, EventInvokeConfigEntry>
  /** Makes the next accepts reject with this error (a full or broken store). */
  refuse(error: Error | null): void
}

/** Records what the gateway hands to the asynchronous side; the real queue is tested in @lambdalet/events. */
export function fakeAsyncInvoker(): FakeAsyncInvoker {
  const accepted: FakeAsyncInvoker['accepted'] = []
  const configs = new Map<string, EventInvokeConfigEntry>()
  let refusal: Error | null = null
  return {
    accepted,
    configs,
    refuse(error) {
      refusal = error
    },
    async invokeAsyncRaw(name, payload, options) {
      if (refusal !== null) throw refusal
      accepted.push({ name, payload, requestId: options?.requestId })
      return options?.requestId ?? 'fake-request-id'
    },
    getEventInvokeConfig: (name) => configs.get(name) ?? null,
    async setEventInvokeConfig(name, config: EventInvokeConfig, mode) {
      const base = mode === 'merge' ? (configs.get(name)?.config ?? {}) : {}
      const entry = { config: { ...base, ...config }, lastModified: 1_700_000_000_500 }
      configs.set(name, entry)
      return entry
    },
    async deleteEventInvokeConfig(name) {
      return configs.delete(name)
    },
    asyncStats: () => ({ functions: {}, store: 'fake' }),
  }
}
