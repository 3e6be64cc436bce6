/** Options of {@link CreditWindow}. */
export interface CreditWindowOptions {
  /**
   * The window may grow up to this many events (default: no growth). It doubles each time half
   * of it was freed within `growWithinMs` of the previous request: a fast analysis gets
   * credits in bigger steps, so the control-plane round trip of a refill (worker → controller →
   * ingester → worker, several ms on a busy machine) no longer leaves it idle. A slow analysis
   * keeps the small window, and with it fine-grained load balancing.
   */
  readonly maxWindowEvents?: number
  /** See `maxWindowEvents`, ms. Default 50. */
  readonly growWithinMs?: number
}

/**
 * A worker's credit accounting (pure; the caller passes the time). It asks for `windowEvents`
 * events when a scan starts, then, each time half of the window has left it (processed, or
 * routed away), for that many again: one `CreditRequest` per half window, never one per event.
 * The window grows (see {@link CreditWindowOptions}) while the worker drains it quickly.
 */
export class CreditWindow {
  #window: number
  readonly #max: number
  readonly #growWithinMs: number
  #freed = 0
  #requested = 0
  #lastRequestMs: number | undefined

  /** @throws RangeError when `windowEvents` is not an integer ≥ 1. */
  constructor(windowEvents: number, options: CreditWindowOptions = {}) {
    if (!Number.isSafeInteger(windowEvents) || windowEvents < 1) {
      throw new RangeError(`windowEvents must be a positive integer, not ${windowEvents}`)
    }
    this.#window = windowEvents
    this.#max = Math.max(windowEvents, options.maxWindowEvents ?? windowEvents)
    this.#growWithinMs = options.growWithinMs ?? 50
  }

  /** The current window, events. */
  get windowEvents(): number {
    return this.#window
  }

  /** Freed events that trigger a request (half the current window). */
  get threshold(): number {
    return Math.max(1, Math.floor(this.#window / 2))
  }

  /** Credits asked for so far (the initial window included). */
  get requested(): number {
    return this.#requested
  }

  /** Events freed since the last request. */
  get freed(): number {
    return this.#freed
  }

  /** The first request of a scan: the whole window. `nowMs` starts the growth clock. */
  initial(nowMs?: number): number {
    this.#requested += this.#window
    this.#lastRequestMs = nowMs
    return this.#window
  }

  /**
   * `count` events left the window. Resolves the credits to ask for now: 0 below the threshold,
   * otherwise everything freed since the last request (at least `threshold`), plus the growth
   * of the window when it was drained within `growWithinMs` (only when `nowMs` is given).
   */
  free(count: number, nowMs?: number): number {
    if (count <= 0) return 0
    this.#freed += count
    if (this.#freed < this.threshold) return 0
    let credits = this.#freed
    this.#freed = 0
    if (nowMs !== undefined) {
      const last = this.#lastRequestMs
      if (last !== undefined && nowMs - last < this.#growWithinMs && this.#window < this.#max) {
        const growth = Math.min(this.#window, this.#max - this.#window)
        this.#window += growth
        credits += growth
      }
      this.#lastRequestMs = nowMs
    }
    this.#requested += credits
    return credits
  }
}
