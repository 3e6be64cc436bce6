import { decodePayload, encodePayload } from '../codec/result-payload.js'
import { AnalysisError } from '../errors.js'
import type { EventData, ResultData } from '../protocol/event.js'
import type {
  AnalysisState,
  ReducerAnalysis,
  ReducerClass,
  WorkerAnalysis,
  WorkerClass,
} from './contract.js'
import type { Parameters } from './parameters.js'
import type { TickClock } from './tick-clock.js'

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function guard<T>(
  module: string,
  eventNumber: number | undefined,
  what: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    throw new AnalysisError(module, eventNumber, `${what} failed: ${reason(cause)}`, cause)
  }
}

/**
 * One instance of a user's worker class, for one scan. Every call into user code is guarded:
 * a throw becomes an {@link AnalysisError} naming the module and the event.
 */
export class WorkerHost {
  readonly state: AnalysisState
  readonly #module: string
  readonly #instance: WorkerAnalysis
  readonly #clock: TickClock | undefined

  private constructor(
    module: string,
    state: AnalysisState,
    instance: WorkerAnalysis,
    clock?: TickClock,
  ) {
    this.#module = module
    this.state = state
    this.#instance = instance
    this.#clock = clock
  }

  /**
   * Construct the user's class.
   * @throws AnalysisError (`ANALYSIS_FAILED`) when the constructor throws.
   */
  static async create(opts: {
    module: string
    cls: WorkerClass
    parameters: Parameters
    context: Record<string, unknown>
    state: AnalysisState
    clock?: TickClock
  }): Promise<WorkerHost> {
    const instance = await guard(opts.module, undefined, 'constructor', () => {
      return new opts.cls({ parameters: opts.parameters, context: opts.context, state: opts.state })
    })
    return new WorkerHost(opts.module, opts.state, instance, opts.clock)
  }

  /**
   * Run `processEvent`; resolves to the result (`undefined` for none).
   * @throws AnalysisError naming the event when user code throws or rejects.
   */
  async processEvent(event: EventData, parameters: Parameters): Promise<unknown> {
    const inst = this.#instance
    const tick =
      this.#clock !== undefined &&
      typeof inst.getTickInterval === 'function' &&
      this.#clock.take(
        Date.now(),
        await guard(this.#module, event.eventNumber, 'getTickInterval()', () =>
          inst.getTickInterval?.(parameters),
        ),
      )
    const result = await guard(this.#module, event.eventNumber, 'processEvent()', () =>
      inst.processEvent(event, parameters, tick),
    )
    return result ?? undefined
  }

  /** Run `finish` if the class has one. @throws AnalysisError */
  async finish(parameters: Parameters): Promise<void> {
    const inst = this.#instance
    if (typeof inst.finish === 'function') {
      await guard(this.#module, undefined, 'finish()', () => inst.finish?.(parameters))
    }
  }

  /** Run `close` if the class has one. @throws AnalysisError */
  async close(context: Record<string, unknown>): Promise<void> {
    const inst = this.#instance
    if (typeof inst.close === 'function') {
      await guard(this.#module, undefined, 'close()', () => inst.close?.(context))
    }
  }
}

/** One instance of a user's reducer class, for one scan; calls are guarded like the worker's. */
export class ReducerHost {
  readonly #module: string
  readonly #instance: ReducerAnalysis

  private constructor(module: string, instance: ReducerAnalysis) {
    this.#module = module
    this.#instance = instance
  }

  /** Construct the user's class. @throws AnalysisError when the constructor throws. */
  static async create(opts: {
    module: string
    cls: ReducerClass
    parameters: Parameters
    context: Record<string, unknown>
    state: AnalysisState
  }): Promise<ReducerHost> {
    const instance = await guard(opts.module, undefined, 'constructor', () => {
      return new opts.cls({ parameters: opts.parameters, context: opts.context, state: opts.state })
    })
    return new ReducerHost(opts.module, instance)
  }

  /** What HTTP clients read (`{}` when the class publishes nothing). */
  get publish(): unknown {
    return this.#instance.publish ?? {}
  }

  /** Whether the class has a `timer` method. */
  get hasTimer(): boolean {
    return typeof this.#instance.timer === 'function'
  }

  /**
   * The instance's state for a durable snapshot, encoded with the result-payload codec: what
   * `snapshotState()` returns when the class has it, else its own enumerable fields.
   * Synchronous, so it is taken between two calls and consistent.
   * @throws AnalysisError when `snapshotState` throws or the state cannot be encoded.
   */
  snapshotState(): Uint8Array {
    const inst = this.#instance
    try {
      const value = typeof inst.snapshotState === 'function' ? inst.snapshotState() : { ...inst }
      return encodePayload(value)
    } catch (cause) {
      throw new AnalysisError(
        this.#module,
        undefined,
        `snapshotState failed: ${reason(cause)}`,
        cause,
      )
    }
  }

  /**
   * Put a snapshot back into this (fresh) instance: `restoreState(state)` when the class has
   * it, else the saved fields are assigned.
   * @throws AnalysisError when the bytes do not decode or `restoreState` throws.
   */
  restoreState(bytes: Uint8Array): void {
    const inst = this.#instance
    try {
      const value = decodePayload(bytes)
      if (typeof inst.restoreState === 'function') inst.restoreState(value)
      else if (typeof value === 'object' && value !== null) Object.assign(inst, value)
    } catch (cause) {
      throw new AnalysisError(
        this.#module,
        undefined,
        `restoreState failed: ${reason(cause)}`,
        cause,
      )
    }
  }

  /** Run `processResult`. @throws AnalysisError naming the event. */
  async processResult(result: ResultData, parameters: Parameters): Promise<void> {
    const inst = this.#instance
    await guard(this.#module, result.eventNumber, 'processResult()', () =>
      inst.processResult(result, parameters),
    )
  }

  /**
   * Run `timer`; resolves to seconds until the next call (1 when it returns no positive number).
   * @throws AnalysisError
   */
  async timer(parameters: Parameters): Promise<number> {
    const inst = this.#instance
    const next = await guard(this.#module, undefined, 'timer()', () => inst.timer?.(parameters))
    return typeof next === 'number' && Number.isFinite(next) && next > 0 ? next : 1
  }

  /** Run `finish` if the class has one. @throws AnalysisError */
  async finish(parameters: Parameters): Promise<void> {
    const inst = this.#instance
    if (typeof inst.finish === 'function') {
      await guard(this.#module, undefined, 'finish()', () => inst.finish?.(parameters))
    }
  }

  /** Run `close` if the class has one. @throws AnalysisError */
  async close(context: Record<string, unknown>): Promise<void> {
    const inst = this.#instance
    if (typeof inst.close === 'function') {
      await guard(this.#module, undefined, 'close()', () => inst.close?.(context))
    }
  }
}
