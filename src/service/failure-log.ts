import type { LogEntry, LogStream } from '../control/log-stream.js'
import type { ProcessRole } from '../control/process-info.js'

import type { Logger } from './logger.js'

/** What a failure log needs of the process's {@link Logger} (a pino `Logger` fits). */
export type FailureLogger = Pick<Logger, 'warn' | 'error'>

/** Structured fields of one failure (scan, event, module, call…). */
export type FailureFields = NonNullable<LogEntry['context']>

/** Options of {@link FailureLog}. */
export interface FailureLogOptions {
  /** The process's own log; every accepted failure is written there at `localLevel`. */
  readonly logger: FailureLogger
  /** The shared log stream (`/api/v1/logs`); accepted failures are appended in the background. */
  readonly logs?: LogStream | undefined
  /** Which role and process the entries name. */
  readonly role: ProcessRole
  readonly name: string
  /** The level of the local line: `warn` or `error` (default). The shared entry is `error`. */
  readonly localLevel?: 'warn' | 'error' | undefined
  /** Failures accepted per second; the rest are counted and summarised. Default 20. */
  readonly maxPerSecond?: number
  /** Entries waiting for the shared log at most; beyond that they are counted. Default 100. */
  readonly maxQueued?: number
  /** Clock in epoch ms (tests). Default `Date.now`. */
  readonly now?: () => number
}

/**
 * Where a process reports failures of user code (a worker's analysis, a reducer's calls): its
 * own log and the shared log stream operators read through the controller. Rate-limited, so a
 * module that throws on every event costs a few control-plane commands per second, not one per
 * event: at most `maxPerSecond` accepted per second and `maxQueued` waiting; the ones left out
 * are counted, and the next accepted entry carries that count (`suppressed`) and the total
 * since {@link reset} (`failures`). Appending never throws into the caller: a shared-log entry
 * that cannot be written is reported once per outage on the local log and dropped (the local
 * log has it). Counts in status and metrics are the caller's and stay exact.
 */
export class FailureLog {
  readonly #o: FailureLogOptions
  readonly #maxPerSecond: number
  readonly #maxQueued: number
  readonly #now: () => number
  #windowStart = Number.NEGATIVE_INFINITY
  #inWindow = 0
  #suppressed = 0
  #total = 0
  #queued = 0
  #appendFailing = false
  #tail: Promise<void> = Promise.resolve()

  constructor(options: FailureLogOptions) {
    this.#o = options
    this.#maxPerSecond = options.maxPerSecond ?? 20
    this.#maxQueued = options.maxQueued ?? 100
    this.#now = options.now ?? Date.now
  }

  /** Failures left out by the rate limit since the last accepted one. */
  get suppressed(): number {
    return this.#suppressed
  }

  /** Failures reported since the last {@link reset}, accepted or not. */
  get total(): number {
    return this.#total
  }

  /** Start counting afresh (a new scan). */
  reset(): void {
    this.#total = 0
    this.#suppressed = 0
  }

  /** Report one failure. Synchronous; the shared-log entry is appended in the background. */
  report(message: string, fields: FailureFields): void {
    this.#total++
    const now = this.#now()
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now
      this.#inWindow = 0
    }
    if (this.#inWindow >= this.#maxPerSecond || this.#queued >= this.#maxQueued) {
      this.#suppressed++
      return
    }
    this.#inWindow++
    const context: FailureFields = { ...fields }
    if (this.#suppressed > 0) {
      context.suppressed = this.#suppressed
      context.failures = this.#total
    }
    this.#suppressed = 0
    const o = this.#o
    if (o.localLevel === 'warn') o.logger.warn(context, message)
    else o.logger.error(context, message)
    const logs = o.logs
    if (logs === undefined) return
    const entry: LogEntry = {
      time: now,
      level: 'error',
      role: o.role,
      name: o.name,
      message,
      context,
    }
    this.#queued++
    this.#tail = this.#tail.then(async () => {
      try {
        await logs.append(entry)
        this.#appendFailing = false
      } catch (err) {
        if (!this.#appendFailing) {
          this.#appendFailing = true
          o.logger.warn({ err: String(err) }, 'cannot append failures to the shared log')
        }
      } finally {
        this.#queued--
      }
    })
  }

  /** Resolves once every entry accepted so far was appended (or given up on). Never rejects. */
  flushed(): Promise<void> {
    return this.#tail
  }
}
