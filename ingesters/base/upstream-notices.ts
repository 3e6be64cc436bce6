import { Wakeup } from '../../src/internal.js'
import type { ScanReport } from './scan-reporter.js'

/** What an upstream did that operators must hear about. */
export type NoticeKind = 'invalid' | 'duplicate' | 'gap' | 'surplus'

/** Options of {@link UpstreamNotices}. */
export interface UpstreamNoticesOptions {
  /** Writes to the process log and the shared log stream (never rejects). */
  readonly report: ScanReport
  /** Entries written per second at most; the rest are counted in the next one. Default 10. */
  readonly maxPerSecond?: number
  /** Entries waiting to be written at most (more are counted as suppressed). Default 100. */
  readonly maxQueued?: number
  /** Clock in epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number
}

interface Notice {
  readonly message: string
  readonly context: Record<string, string | number>
}

/**
 * The ingester's warnings about its device's messages — malformed ones dropped, repeated frame
 * numbers, gaps in the numbering, frames beyond the scan — at WARNING in the process log and in
 * the shared log stream (`/api/v1/logs`), rate-limited so a device that sends garbage at kHz
 * costs a few log entries per second, not one per message. Entries left out are counted in the
 * next one written (`suppressed`). {@link notice} is synchronous and cheap; {@link pump} writes.
 */
export class UpstreamNotices {
  readonly #report: ScanReport
  readonly #maxPerSecond: number
  readonly #maxQueued: number
  readonly #now: () => number
  readonly #queue: Notice[] = []
  readonly #wake = new Wakeup()
  #windowStart = 0
  #inWindow = 0
  #suppressed = 0

  constructor(options: UpstreamNoticesOptions) {
    this.#report = options.report
    this.#maxPerSecond = options.maxPerSecond ?? 10
    this.#maxQueued = options.maxQueued ?? 100
    this.#now = options.now ?? Date.now
  }

  /** Entries left out by the rate limit and not yet summarised in a written one. */
  get suppressed(): number {
    return this.#suppressed
  }

  /**
   * Say what `stream`'s upstream did; `count` is the stream's running count of that kind.
   * Written unless the rate limit is reached (then counted in the next entry).
   */
  notice(kind: NoticeKind, stream: string, message: string, count: number): void {
    const now = this.#now()
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now
      this.#inWindow = 0
    }
    if (this.#inWindow >= this.#maxPerSecond || this.#queue.length >= this.#maxQueued) {
      this.#suppressed++
      return
    }
    this.#inWindow++
    const context: Record<string, string | number> = { stream, kind, count }
    if (this.#suppressed > 0) context.suppressed = this.#suppressed
    this.#suppressed = 0
    this.#queue.push({ message, context })
    this.#wake.notify()
  }

  /** Write queued entries as they come until `signal` aborts. Never rejects on its own. */
  async pump(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = this.#queue.shift()
      if (next === undefined) {
        await this.#wake.wait(signal)
        continue
      }
      await this.#report('warn', next.message, next.context)
    }
  }

  /** Write whatever is still queued (at the end of a scan). */
  async drain(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      await this.#report('warn', next.message, next.context)
    }
  }
}
