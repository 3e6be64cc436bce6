import type { LogEntry, LogStream } from '../src/internal.js'
import { Wakeup } from '../src/internal.js'
import type { WorkerLogger } from './worker-logger.js'

/** Options of {@link FailureLog}. */
export interface FailureLogOptions {
  /** Entries accepted per second; the rest are counted and summarised. Default 20. */
  readonly maxPerSecond?: number
  /** Entries waiting for the control plane at most. Default 100. */
  readonly maxQueued?: number
  /** Clock in epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number
}

type Fields = NonNullable<LogEntry['context']>

/**
 * Where a worker reports analysis failures: the shared log stream (what operators see through
 * the controller) and the local logger, rate-limited so a module that throws on every event
 * costs a few control-plane commands per second, not one per event. Suppressed entries are
 * counted in the next accepted one (`suppressed`).
 */
export class FailureLog {
  readonly #stream: LogStream
  readonly #name: string
  readonly #logger: WorkerLogger
  readonly #maxPerSecond: number
  readonly #maxQueued: number
  readonly #now: () => number
  readonly #queue: LogEntry[] = []
  readonly #wake = new Wakeup()
  #windowStart = 0
  #inWindow = 0
  #suppressed = 0

  constructor(stream: LogStream, name: string, logger: WorkerLogger, opts: FailureLogOptions = {}) {
    this.#stream = stream
    this.#name = name
    this.#logger = logger
    this.#maxPerSecond = opts.maxPerSecond ?? 20
    this.#maxQueued = opts.maxQueued ?? 100
    this.#now = opts.now ?? Date.now
  }

  /** Entries left out by the rate limit so far and not yet summarised. */
  get suppressed(): number {
    return this.#suppressed
  }

  /** Report one failure (synchronous; the entry is appended by {@link pump}). */
  report(message: string, fields: Fields): void {
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
    const context: Fields =
      this.#suppressed > 0 ? { ...fields, suppressed: this.#suppressed } : { ...fields }
    this.#suppressed = 0
    this.#logger.warn(context, message)
    this.#queue.push({
      time: now,
      level: 'error',
      role: 'worker',
      name: this.#name,
      message,
      context,
    })
    this.#wake.notify()
  }

  /** Append queued entries as they come until `signal` aborts. Rejects with the plane's errors. */
  async pump(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.#queue.length === 0) {
        await this.#wake.wait(signal)
        continue
      }
      await this.#stream.append(this.#queue.shift()!)
    }
  }

  /** Append whatever is still queued (at close; best effort, errors are the caller's). */
  async drain(): Promise<void> {
    while (this.#queue.length > 0) await this.#stream.append(this.#queue.shift()!)
  }
}
