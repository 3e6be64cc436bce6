import { encodePayload } from '../codec/result-payload.js'
import { rootErrorCode, streamOfError } from '../errors.js'
import type { EventData } from '../protocol/event.js'
import { WorkerHost } from './analysis-host.js'
import type { CallOutcome, RunnerEvent, WorkerRunner } from './analysis-runner.js'
import type { AnalysisState, WorkerClass } from './contract.js'
import { type LoadedModule, loadWorkerClass } from './load-analysis-module.js'
import type { Parameters } from './parameters.js'
import { TickClock } from './tick-clock.js'

/** What a failed call became: reason, error code and the stream it names (if any). */
export function failedOutcome(err: unknown, event: EventData): CallOutcome {
  const reason = err instanceof Error ? err.message : String(err)
  const code = rootErrorCode(err)
  const names = Object.keys(event.streams)
  const stream = streamOfError(err) ?? (names.length === 1 ? names[0] : undefined)
  return {
    kind: 'failed',
    reason,
    ...(code === undefined ? {} : { code }),
    ...(stream === undefined ? {} : { stream }),
  }
}

/**
 * A worker class in the engine's own thread (`replay`, and `WORKER_ISOLATION=inline`): no copy
 * of frames, nothing to start, and nothing can stop a call that never returns. Used where the
 * developer wants a debugger and a plain stack, not on a beamline.
 */
class InlineWorkerRunner implements WorkerRunner {
  readonly kind = 'inline' as const
  readonly parameters
  readonly #module: LoadedModule<WorkerClass>
  readonly #calls: CallWatch | undefined
  readonly #context: Record<string, unknown>
  readonly #clock: TickClock
  #host: WorkerHost | undefined
  #hostError: unknown
  #dead: string | undefined

  constructor(
    module: LoadedModule<WorkerClass>,
    calls: CallWatch | undefined,
    shared: SharedState | undefined,
  ) {
    this.#module = module
    this.#calls = calls
    this.#context = shared?.context ?? {}
    this.#clock = shared?.clock ?? new TickClock()
    this.parameters = module.parameters
  }

  get alive(): boolean {
    return this.#dead === undefined
  }

  async begin(init: { parameters: Parameters; state: AnalysisState }): Promise<void> {
    this.#host = undefined
    this.#hostError = undefined
    try {
      this.#host = await WorkerHost.create({
        module: this.#module.spec.spec,
        cls: this.#module.cls,
        parameters: init.parameters,
        context: this.#context,
        state: init.state,
        clock: this.#clock,
      })
    } catch (err) {
      this.#hostError = err
      throw err
    }
  }

  async processEvents(
    events: readonly RunnerEvent[],
    parameters: Parameters,
    signal?: AbortSignal,
  ): Promise<CallOutcome[]> {
    const outcomes: CallOutcome[] = []
    for (let i = 0; i < events.length; i++) {
      const { event } = events[i]!
      if (signal?.aborted || this.#calls?.stopped()) {
        outcomes.push({ kind: 'skipped' })
        continue
      }
      this.#calls?.starting(i)
      const host = this.#host
      if (host === undefined) {
        outcomes.push(failedOutcome(this.#hostError ?? new Error('no analysis instance'), event))
        continue
      }
      try {
        const result = await host.processEvent(event, parameters)
        outcomes.push(
          result === undefined
            ? { kind: 'none' }
            : { kind: 'result', payload: encodePayload(result) },
        )
      } catch (err) {
        outcomes.push(failedOutcome(err, event))
      }
    }
    this.#calls?.idle()
    return outcomes
  }

  async finish(parameters: Parameters): Promise<void> {
    await this.#host?.finish(parameters)
  }

  async close(): Promise<void> {
    if (this.#dead !== undefined) return
    this.#dead = 'closed'
    await this.#host?.close(this.#context)
  }

  kill(reason: string): void {
    this.#dead ??= reason
  }
}

/** Told when each `processEvent` of a batch starts and when the batch is done. */
export interface CallWatch {
  starting(index: number): void
  idle(): void
  /** True when the events not started yet should be skipped (the engine is closing). */
  stopped(): boolean
}

/**
 * Load a worker class into this thread. `calls` hears each call start (the analysis thread
 * publishes it for the engine's time limit).
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID`.
 */
export async function createInlineWorkerRunner(
  spec: string,
  cwd?: string,
  calls?: CallWatch,
  shared?: SharedState,
): Promise<WorkerRunner> {
  return new InlineWorkerRunner(await loadWorkerClass(spec, cwd), calls, shared)
}

/** What several inline runners of one process may share (replay's workers do). */
export interface SharedState {
  /** The `context` object that survives scans. */
  readonly context?: Record<string, unknown>
  /** The scan-wide tick. */
  readonly clock?: TickClock
}
