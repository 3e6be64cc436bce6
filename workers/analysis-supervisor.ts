import type {
  AnalysisState,
  CallOutcome,
  ParameterDescription,
  Parameters,
  RunnerEvent,
  RunnerKind,
  WorkerRunner,
} from '../src/internal.js'

/** Makes a new runner of the worker's class (loaded, no instance yet). */
export type WorkerRunnerFactory = () => Promise<WorkerRunner>

/**
 * Keeps one live runner of the worker's analysis (DESIGN.md "Poison and runaway analyses"):
 * when a call kills it (time limit, memory cap, the host died), a new runner takes its place
 * at once with a fresh instance of the class for the same scan (`begin` with the scan's
 * parameters and state). State the old instance held is lost, as with a worker that dies.
 * Not a service: the worker owns it and closes it.
 */
export class AnalysisSupervisor {
  readonly #factory: WorkerRunnerFactory
  readonly #onReplaced: (reason: string) => void
  #runner: WorkerRunner
  #scan: { parameters: Parameters; state: AnalysisState } | undefined
  #replacements = 0
  #closed = false

  constructor(
    first: WorkerRunner,
    factory: WorkerRunnerFactory,
    onReplaced: (reason: string) => void,
  ) {
    this.#runner = first
    this.#factory = factory
    this.#onReplaced = onReplaced
  }

  /** Parameter descriptions of the class. */
  get parameters(): readonly ParameterDescription[] {
    return this.#runner.parameters
  }

  /** Where the class runs. */
  get kind(): RunnerKind {
    return this.#runner.kind
  }

  /** Runners replaced after a call killed them. */
  get replacements(): number {
    return this.#replacements
  }

  /**
   * A new instance for a scan. Resolves the constructor's error, if it threw (the scan goes
   * on: every event of it fails with that error); rejects only when no runner can be made.
   */
  async begin(parameters: Parameters, state: AnalysisState): Promise<Error | undefined> {
    this.#scan = { parameters, state }
    if (!this.#runner.alive) await this.#replace('the previous analysis host had stopped')
    try {
      await this.#runner.begin({ parameters, state })
      return undefined
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  }

  /**
   * `processEvent` on each event (see `WorkerRunner.processEvents`). A runner that a call
   * killed is replaced before this resolves; its `timeout` / `crashed` / `skipped` outcomes are
   * the caller's to act on.
   */
  async process(
    events: readonly RunnerEvent[],
    parameters: Parameters,
    signal?: AbortSignal,
  ): Promise<CallOutcome[]> {
    if (!this.#runner.alive) await this.#replace('the analysis host had stopped')
    const outcomes = await this.#runner.processEvents(events, parameters, signal)
    if (!this.#runner.alive && !this.#closed) {
      const why = outcomes.find((o: CallOutcome) => o.kind === 'timeout' || o.kind === 'crashed')
      await this.#replace(
        why !== undefined && 'reason' in why ? why.reason : 'the analysis host stopped',
      )
    }
    return outcomes
  }

  /** `finish` of the current instance. Rejects with its error. */
  finish(parameters: Parameters): Promise<void> {
    return this.#runner.finish(parameters)
  }

  /** Close the runner (the class's `close(context)`, then the host). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#runner.close()
  }

  async #replace(reason: string): Promise<void> {
    this.#runner.kill(reason)
    this.#runner = await this.#factory()
    this.#replacements++
    this.#onReplaced(reason)
    const scan = this.#scan
    if (scan !== undefined) {
      // A constructor that throws now fails the scan's remaining events, as at scan start.
      await this.#runner.begin(scan).catch(() => {})
    }
  }
}
