/**
 * A worker's credit accounting (pure). It asks for `windowEvents` events when a scan starts,
 * then, each time half of the window has left it (processed, or routed away), for that many
 * again: one `CreditRequest` per `windowEvents / 2` events, never one per event.
 */
export class CreditWindow {
  readonly windowEvents: number
  /** Freed events that trigger a request. */
  readonly threshold: number
  #freed = 0
  #requested = 0

  /** @throws RangeError when `windowEvents` is not an integer ≥ 1. */
  constructor(windowEvents: number) {
    if (!Number.isSafeInteger(windowEvents) || windowEvents < 1) {
      throw new RangeError(`windowEvents must be a positive integer, not ${windowEvents}`)
    }
    this.windowEvents = windowEvents
    this.threshold = Math.max(1, Math.floor(windowEvents / 2))
  }

  /** Credits asked for so far (the initial window included). */
  get requested(): number {
    return this.#requested
  }

  /** Events freed since the last request. */
  get freed(): number {
    return this.#freed
  }

  /** The first request of a scan: the whole window. */
  initial(): number {
    this.#requested += this.windowEvents
    return this.windowEvents
  }

  /**
   * `count` events left the window. Resolves the credits to ask for now: 0 below the threshold,
   * otherwise everything freed since the last request (at least `threshold`).
   */
  free(count: number): number {
    if (count <= 0) return 0
    this.#freed += count
    if (this.#freed < this.threshold) return 0
    const credits = this.#freed
    this.#freed = 0
    this.#requested += credits
    return credits
  }
}
