/** What the store may hold; past it, an `Event` invocation is refused with a 429. */
export interface QueueLimits {
  maxEvents: number
  maxBytes: number
  maxEventsPerFunction: number
  maxBytesPerFunction: number
}

const MiB = 1024 * 1024

/** Sized for a laptop: a function can hold a 256 MiB backlog, all of them 1 GiB. */
export const DEFAULT_LIMITS: QueueLimits = {
  maxEvents: 1_000_000,
  maxBytes: 1024 * MiB,
  maxEventsPerFunction: 100_000,
  maxBytesPerFunction: 256 * MiB,
}

/** The in-memory store holds payloads on the heap: a smaller default. */
export const DEFAULT_MEMORY_LIMITS: QueueLimits = {
  maxEvents: 200_000,
  maxBytes: 256 * MiB,
  maxEventsPerFunction: 100_000,
  maxBytesPerFunction: 128 * MiB,
}
