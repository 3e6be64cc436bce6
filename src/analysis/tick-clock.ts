/**
 * The scan-wide tick: at most one `tick = true` per interval, whichever worker asks first
 * (Dranspose's `get_tick_interval` semantics). Pure: the caller passes the time.
 */
export class TickClock {
  #nextAtMs = Number.NEGATIVE_INFINITY

  /**
   * Whether this call gets the tick. `intervalS` is the worker's `getTickInterval()`;
   * `undefined` means the worker does not tick.
   */
  take(nowMs: number, intervalS: number | undefined): boolean {
    if (intervalS === undefined || !Number.isFinite(intervalS) || intervalS < 0) return false
    if (nowMs < this.#nextAtMs) return false
    this.#nextAtMs = nowMs + intervalS * 1000
    return true
  }
}
