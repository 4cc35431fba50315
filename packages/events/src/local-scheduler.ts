import type { StoredSchedule, Tick } from './event-store.js'

/** setTimeout's longest delay; a later tick is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Schedules for a store only one process uses: a timer per schedule in
 * this process. A schedule is created when it is started (the anchor of a
 * rate), and a tick the process was not running for, or slept through, is
 * skipped rather than replayed.
 */
export class LocalScheduler {
  readonly #timers = new Set<NodeJS.Timeout>()
  #generation = 0

  start(schedules: readonly StoredSchedule[], onTick: (tick: Tick) => Promise<void>): void {
    this.stop()
    const generation = this.#generation
    const anchor = Date.now()
    for (const schedule of schedules) this.#arm(schedule, anchor, anchor, onTick, generation)
  }

  stop(): void {
    this.#generation++
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #arm(
    schedule: StoredSchedule,
    anchor: number,
    after: number,
    onTick: (tick: Tick) => Promise<void>,
    generation: number,
  ): void {
    const at = schedule.expression.next(after, anchor)
    if (at === null) return
    const wait = (): void => {
      const timer = setTimeout(
        () => {
          this.#timers.delete(timer)
          if (generation !== this.#generation) return
          const now = Date.now()
          if (now < at) return wait()
          // Errors are the tick handler's to report; the schedule goes on.
          onTick({ scheduleId: schedule.id, at }).catch(() => {})
          // From now, not from `at`: ticks that fell while the loop was blocked are skipped.
          this.#arm(schedule, anchor, Math.max(at, now), onTick, generation)
        },
        Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
      )
      // A schedule alone does not keep an embedding process alive.
      timer.unref()
      this.#timers.add(timer)
    }
    wait()
  }
}
