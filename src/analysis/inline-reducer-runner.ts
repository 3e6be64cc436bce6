import { decodePayload, encodePayload } from '../codec/result-payload.js'
import { AnalysisError } from '../errors.js'
import { workerName } from '../protocol/ids.js'
import type { CallOutcome, ReducerRunner, RunnerLimits, RunnerResult } from './analysis-runner.js'
import type { AnalysisState, ReducerAnalysis, ReducerClass } from './contract.js'
import { type LoadedModule, loadReducerClass } from './load-analysis-module.js'
import type { Parameters } from './parameters.js'
import { DeadlineExceeded, runWithDeadline } from './vm-deadline.js'

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Most `processResult` calls in one watched stretch: the time limit covers the stretch, so it
 * must stay a handful of calls' worth even when many results queued (starting a watch costs
 * ~55 µs, so a stretch of 64 costs under 1 µs per call).
 */
const WATCH_STRETCH = 64

/** A promise that rejects with {@link DeadlineExceeded} after `ms` (and a way to stop it). */
function deadline(ms: number): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined
  const promise = new Promise<never>((_, reject) => {
    if (Number.isFinite(ms)) timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms)
  })
  return { promise, clear: () => clearTimeout(timer) }
}

/**
 * A TypeScript/JavaScript reducer class in the reducer's own thread, so every results surface
 * reads its live `publish` between two calls. User code runs under a time limit
 * (`callTimeoutMs` per batch of `processResult` calls, and per `timer`): synchronous code that
 * overruns it is stopped where it is (V8's execution timeout), an asynchronous call is no
 * longer waited for. Either way the instance may be half-changed, so the runner is dead: the
 * reducer replaces it and puts back its last snapshot (see reducer/scan-run.ts).
 */
class InlineReducerRunner implements ReducerRunner {
  readonly kind = 'inline' as const
  readonly parameters
  readonly #module: LoadedModule<ReducerClass>
  readonly #limits: RunnerLimits
  readonly #context: Record<string, unknown> = {}
  #instance: ReducerAnalysis | undefined
  #beginError: unknown
  #dead: string | undefined

  constructor(module: LoadedModule<ReducerClass>, limits: RunnerLimits) {
    this.#module = module
    this.#limits = limits
    this.parameters = module.parameters
  }

  get alive(): boolean {
    return this.#dead === undefined
  }

  get hasTimer(): boolean {
    return typeof this.#instance?.timer === 'function'
  }

  publish(): unknown {
    return this.#instance?.publish ?? {}
  }

  async begin(init: { parameters: Parameters; state: AnalysisState }): Promise<void> {
    this.#instance = undefined
    this.#beginError = undefined
    const cls = this.#module.cls
    try {
      this.#instance = await this.#call(
        'constructor',
        () => new cls({ parameters: init.parameters, context: this.#context, state: init.state }),
        this.#limits.lifecycleTimeoutMs,
      )
    } catch (err) {
      this.#beginError = err
      throw err
    }
  }

  async processResults(
    results: readonly RunnerResult[],
    parameters: Parameters,
  ): Promise<CallOutcome[]> {
    const outcomes: CallOutcome[] = []
    const inst = this.#instance
    let at = 0
    while (at < results.length) {
      if (!this.alive) {
        outcomes.push({ kind: 'skipped' })
        at++
        continue
      }
      if (inst === undefined) {
        const err = this.#beginError ?? new Error('no reducer instance')
        outcomes.push({ kind: 'failed', reason: `no reducer instance: ${reasonOf(err)}` })
        at++
        continue
      }
      // As many calls as return synchronously, up to WATCH_STRETCH, in one watched stretch.
      let pending: { index: number; promise: PromiseLike<unknown> } | undefined
      let current = at
      const end = Math.min(results.length, at + WATCH_STRETCH)
      try {
        runWithDeadline(() => {
          for (; current < end; current++) {
            const outcome = this.#one(inst, results[current]!, parameters)
            if (outcome instanceof Promise || isThenable(outcome)) {
              pending = { index: current, promise: outcome as PromiseLike<unknown> }
              current++
              return
            }
            outcomes.push(outcome)
          }
        }, this.#limits.callTimeoutMs)
      } catch (err) {
        this.#stop(outcomes, results.length, current, err)
        break
      }
      if (pending !== undefined) {
        const limit = deadline(this.#limits.callTimeoutMs)
        try {
          await Promise.race([pending.promise, limit.promise])
          outcomes.push({ kind: 'none' })
        } catch (err) {
          if (err instanceof DeadlineExceeded) {
            this.#stop(outcomes, results.length, pending.index, err)
            break
          }
          outcomes.push(this.#failed(results[pending.index]!, err))
        } finally {
          limit.clear()
        }
      }
      at = current
    }
    return outcomes
  }

  async timer(parameters: Parameters): Promise<CallOutcome & { readonly nextS?: number }> {
    const inst = this.#instance
    if (inst === undefined || typeof inst.timer !== 'function') return { kind: 'none', nextS: 1 }
    try {
      const next = await this.#call(
        'timer',
        () => inst.timer?.(parameters),
        this.#limits.callTimeoutMs,
      )
      const nextS = typeof next === 'number' && Number.isFinite(next) && next > 0 ? next : 1
      return { kind: 'none', nextS }
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        this.kill(`timer() ${err.message}`)
        return { kind: 'timeout', reason: `timer() ${err.message}` }
      }
      return { kind: 'failed', reason: `timer() failed: ${reasonOf(err)}`, nextS: 1 }
    }
  }

  async finish(parameters: Parameters): Promise<void> {
    const inst = this.#instance
    if (inst === undefined || typeof inst.finish !== 'function') return
    await this.#call('finish', () => inst.finish?.(parameters), this.#limits.lifecycleTimeoutMs)
  }

  async snapshotState(): Promise<Uint8Array> {
    const inst = this.#instance
    if (inst === undefined) return new Uint8Array(0)
    try {
      const state = typeof inst.snapshotState === 'function' ? inst.snapshotState() : { ...inst }
      return encodePayload(state)
    } catch (cause) {
      throw new AnalysisError(
        this.#module.spec.spec,
        undefined,
        `snapshotState failed: ${reasonOf(cause)}`,
        cause,
      )
    }
  }

  async restoreState(bytes: Uint8Array): Promise<void> {
    const inst = this.#instance
    if (inst === undefined || bytes.byteLength === 0) return
    try {
      const value = decodePayload(bytes)
      if (typeof inst.restoreState === 'function') inst.restoreState(value)
      else if (typeof value === 'object' && value !== null) Object.assign(inst, value)
    } catch (cause) {
      throw new AnalysisError(
        this.#module.spec.spec,
        undefined,
        `restoreState failed: ${reasonOf(cause)}`,
        cause,
      )
    }
  }

  async close(): Promise<void> {
    const inst = this.#instance
    const wasAlive = this.alive
    this.#dead ??= 'closed'
    if (!wasAlive || inst === undefined || typeof inst.close !== 'function') return
    await this.#call('close', () => inst.close?.(this.#context), this.#limits.lifecycleTimeoutMs)
  }

  kill(reason: string): void {
    this.#dead ??= reason
  }

  /** One `processResult`: its outcome, or the promise an async method returned. */
  #one(
    inst: ReducerAnalysis,
    r: RunnerResult,
    parameters: Parameters,
  ): CallOutcome | PromiseLike<unknown> {
    let payload: unknown
    try {
      payload = decodePayload(r.payload)
    } catch (err) {
      return this.#failed(r, err)
    }
    const data = {
      eventNumber: r.eventNumber as never,
      worker: workerName(r.worker),
      parametersHash: r.parametersHash,
      payload,
    }
    try {
      const out = inst.processResult(data, parameters)
      return isThenable(out) ? out : { kind: 'none' }
    } catch (err) {
      // (A stop by the deadline is not an exception JavaScript can catch: it ends the stretch.)
      return this.#failed(r, err)
    }
  }

  #failed(r: RunnerResult, err: unknown): CallOutcome {
    const module = this.#module.spec.spec
    return {
      kind: 'failed',
      reason: `${module} (event ${r.eventNumber}): processResult() failed: ${reasonOf(err)}`,
    }
  }

  /** The call at `index` overran its time: the runner is dead, the rest skipped. */
  #stop(outcomes: CallOutcome[], total: number, index: number, err: unknown): void {
    const reason = `processResult() ${err instanceof DeadlineExceeded ? err.message : reasonOf(err)}`
    this.kill(reason)
    while (outcomes.length < index) outcomes.push({ kind: 'skipped' })
    outcomes.push({ kind: 'timeout', reason })
    while (outcomes.length < total) outcomes.push({ kind: 'skipped' })
  }

  /** A lifecycle call under a deadline; a throw becomes an `AnalysisError` naming the call. */
  async #call<T>(what: string, fn: () => T, ms: number): Promise<Awaited<T>> {
    const limit = deadline(ms)
    try {
      const out = runWithDeadline(fn, ms)
      return (await Promise.race([out, limit.promise])) as Awaited<T>
    } catch (cause) {
      if (cause instanceof DeadlineExceeded) {
        this.kill(`${what}() ${cause.message}`)
        throw cause
      }
      throw new AnalysisError(
        this.#module.spec.spec,
        undefined,
        `${what} failed: ${reasonOf(cause)}`,
        cause,
      )
    } finally {
      limit.clear()
    }
  }
}

/**
 * Load a reducer class into this thread, under `limits`.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID`.
 */
export async function createInlineReducerRunner(
  spec: string,
  limits: RunnerLimits,
  cwd?: string,
): Promise<ReducerRunner> {
  return new InlineReducerRunner(await loadReducerClass(spec, cwd), limits)
}
