import type { CompletionReport, ControlPlane, ScanId, WorkerName } from '../src/internal.js'
import { StreamField } from '../src/internal.js'
import { CompletionBatch } from './completion-batch.js'

/** Options of {@link CompletionSender}. */
export interface CompletionSenderOptions {
  readonly plane: ControlPlane
  readonly scanId: ScanId
  /** Send at most this long after the first event of a report was added, in ms. */
  readonly flushMs: number
  /** Send at once when this many events are waiting. */
  readonly maxEvents: number
  /** Called after each report was appended. */
  readonly onSent?: (report: CompletionReport) => void
  /** Appending failed (the plane is gone): the owner closes with this error. */
  readonly onError: (err: unknown) => void
}

/**
 * Sends one scan's completion reports to `completions(scanId)` (field `c`), batched: a report
 * goes out `flushMs` after its first event, or as soon as `maxEvents` are waiting. One timer
 * per report, never per event; appends happen in order, one at a time.
 */
export class CompletionSender {
  readonly #options: CompletionSenderOptions
  readonly #key: string
  readonly #batch = new CompletionBatch()
  #timer: NodeJS.Timeout | undefined
  #tail: Promise<void> = Promise.resolve()
  #closed = false

  constructor(options: CompletionSenderOptions) {
    this.#options = options
    this.#key = options.plane.keys.completions(options.scanId)
  }

  /** Events waiting to be reported. */
  get pending(): number {
    return this.#batch.events
  }

  /** Report `worker`'s `event` complete (after it was reduced, or dropped as a duplicate). */
  add(worker: WorkerName, event: number, failed = false): void {
    if (this.#closed) return
    this.#batch.add(worker, event, failed)
    if (this.#batch.events >= this.#options.maxEvents) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.flushMs)
  }

  /** Send what is waiting now; resolves when every report so far was appended. */
  flush(): Promise<void> {
    this.#flush()
    return this.#tail
  }

  /** Send what is waiting and stop accepting events; resolves when appended. */
  close(): Promise<void> {
    const done = this.flush()
    this.#closed = true
    return done
  }

  /** Stop at once: drop what is waiting (it is reported by nobody: the events are redone). */
  abandon(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#closed = true
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const report = this.#batch.take()
    if (report === undefined) return
    const { plane, onSent, onError } = this.#options
    this.#tail = this.#tail.then(async () => {
      try {
        await plane.xadd(this.#key, { [StreamField.message]: JSON.stringify(report) })
        onSent?.(report)
      } catch (err) {
        onError(err)
      }
    })
  }
}
