import type { Logger } from 'pino'
import type { LogStream } from '../src/internal.js'

/** Which call into the user's reducer failed. */
export type ReducerCall =
  | 'constructor'
  | 'processResult'
  | 'timer'
  | 'finish'
  | 'close'
  | 'snapshotState'
  | 'restoreState'

/** Where a failure happened. */
export interface FailureContext {
  readonly scanId: string | undefined
  readonly module: string
  readonly eventNumber?: number | undefined
}

/** Options of {@link FailureLog}. */
export interface FailureLogOptions {
  readonly logger: Logger
  /** The shared log stream (`/api/v1/logs`); entries are appended in the background. */
  readonly logs?: LogStream | undefined
  /** This process's name. */
  readonly name: string
  /** Failures per scan logged one by one; after that one line per `every`. Default 20. */
  readonly fullPerScan?: number
  /** After the first `fullPerScan`, log one failure in this many. Default 1000. */
  readonly every?: number
}

/**
 * Logs failures of user code locally (pino) and to the shared log stream, with the event and
 * the module. Per-event failures are rate-limited per scan (the first few one by one, then one
 * in `every` with the running count), so a reducer that throws on every event cannot flood the
 * control plane; the counts are always exact in status and metrics.
 */
export class FailureLog {
  readonly #options: FailureLogOptions
  readonly #full: number
  readonly #every: number
  #count = 0
  #tail: Promise<void> = Promise.resolve()

  constructor(options: FailureLogOptions) {
    this.#options = options
    this.#full = options.fullPerScan ?? 20
    this.#every = options.every ?? 1000
  }

  /** Start counting for a new scan. */
  reset(): void {
    this.#count = 0
  }

  /** Record one failure; logs it unless rate-limited. */
  record(call: ReducerCall, err: unknown, where: FailureContext): void {
    this.#count++
    const n = this.#count
    if (n > this.#full && (n - this.#full) % this.#every !== 0) return
    const reason = err instanceof Error ? err.message : String(err)
    const message =
      n > this.#full ? `${reason} (${n} failures in this scan so far; most not logged)` : reason
    const context = {
      call,
      module: where.module,
      scan: where.scanId ?? null,
      event: where.eventNumber ?? null,
    }
    this.#options.logger.error({ ...context, err }, `reducer ${call} failed: ${message}`)
    const logs = this.#options.logs
    if (logs === undefined) return
    const entry = {
      time: Date.now(),
      level: 'error' as const,
      role: 'reducer' as const,
      name: this.#options.name,
      message: `${call} failed: ${message}`,
      context,
    }
    this.#tail = this.#tail.then(async () => {
      try {
        await logs.append(entry)
      } catch (appendErr) {
        // Losing a log line is not worth stopping the scan for; the local log has it.
        this.#options.logger.warn({ err: appendErr }, 'could not append to the shared log')
      }
    })
  }

  /** Resolves once every entry queued so far was appended (or given up on). */
  flushed(): Promise<void> {
    return this.#tail
  }
}
