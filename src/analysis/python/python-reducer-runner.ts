import { decodePayload } from '../../codec/result-payload.js'
import type { CallOutcome, ReducerRunner, RunnerResult } from '../analysis-runner.js'
import type { AnalysisState } from '../contract.js'
import type { ModuleSpec } from '../load-analysis-module.js'
import type { ParameterDescription, Parameters } from '../parameters.js'
import { type HostMessage, isHostDeath, type PythonHost } from './python-host.js'
import { hostOptions, type PythonRunnerOptions, pythonSpec } from './python-runner-options.js'
import { batchOutcomes, lifecycleReply, outcomeFromWire, ParameterSender } from './runner-wire.js'
import { startPythonHost } from './start-python-host.js'

const CHUNK_RESULTS = 512
const DEFAULT_PUBLISH_MAX_AGE_MS = 500

class PythonReducerRunner implements ReducerRunner {
  readonly kind = 'python'
  readonly #host: PythonHost
  readonly #spec: ModuleSpec
  readonly #options: PythonRunnerOptions
  readonly #parameters = new ParameterSender()
  readonly #maxAgeMs: number
  #publish: unknown = {}
  readonly #publishBytes = new Map<string, Uint8Array>()
  #hasTimer = false
  #closed = false
  /** Results were reduced since the copy of `publish` was taken. */
  #stale = false
  #refresh: NodeJS.Timeout | undefined

  constructor(host: PythonHost, spec: ModuleSpec, options: PythonRunnerOptions) {
    this.#host = host
    this.#spec = spec
    this.#options = options
    this.#maxAgeMs = options.publishMaxAgeMs ?? DEFAULT_PUBLISH_MAX_AGE_MS
  }

  get parameters(): readonly ParameterDescription[] {
    return this.#host.parameters
  }

  get alive(): boolean {
    return this.#host.alive && !this.#closed
  }

  get hasTimer(): boolean {
    return this.#hasTimer
  }

  publish(): unknown {
    return this.#publish
  }

  /**
   * Keep the copy of `publish` from a reply that carries one. The host sends it per top-level
   * key; only keys whose bytes changed are decoded, into the same root object (so the results
   * surfaces see one `publish` per scan, as with a TypeScript reducer, and unchanged keys keep
   * their objects).
   */
  #take(message: HostMessage | undefined): void {
    const wire = message?.publish
    if (wire === undefined || wire === null || typeof wire !== 'object') return
    this.#stale = false
    let changed = false
    try {
      const { keys, whole } = wire as { keys?: Record<string, Uint8Array>; whole?: Uint8Array }
      if (whole instanceof Uint8Array) {
        this.#publish = decodePayload(whole)
        this.#publishBytes.clear()
        changed = true
        return
      }
      if (keys === undefined) return
      if (
        typeof this.#publish !== 'object' ||
        this.#publish === null ||
        Array.isArray(this.#publish)
      ) {
        this.#publish = {}
        changed = true
      }
      const root = this.#publish as Record<string, unknown>
      for (const name of Object.keys(root)) {
        if (!(name in keys)) {
          delete root[name]
          this.#publishBytes.delete(name)
          changed = true
        }
      }
      for (const [name, bytes] of Object.entries(keys)) {
        const previous = this.#publishBytes.get(name)
        if (previous !== undefined && Buffer.from(previous).equals(bytes)) continue
        root[name] = decodePayload(bytes)
        this.#publishBytes.set(name, bytes)
        changed = true
      }
    } catch (err) {
      this.#options.log?.('error', `publish cannot be decoded: ${String(err)}`)
    } finally {
      if (changed) this.#options.onPublish?.()
    }
  }

  /**
   * After a batch whose reply carried no fresh `publish`, fetch one within half the allowed age
   * (queued behind other calls), so `publish()` catches up when results stop arriving.
   */
  #scheduleRefresh(): void {
    if (!this.#stale || this.#refresh !== undefined) return
    this.#refresh = setTimeout(() => {
      this.#refresh = undefined
      if (!this.#stale || !this.alive) return
      void this.#host.call({ op: 'publish' }, this.#options.limits.callTimeoutMs).then((reply) => {
        if (!isHostDeath(reply)) this.#take(reply[reply.length - 1])
      })
    }, this.#maxAgeMs / 2)
    this.#refresh.unref?.()
  }

  async begin(init: {
    readonly parameters: Parameters
    readonly state: AnalysisState
  }): Promise<void> {
    const reply = await this.#host.call(
      {
        op: 'begin',
        ...this.#parameters.fields(init.parameters),
        state: { name: init.state.name, tags: [...init.state.tags] },
      },
      this.#options.limits.lifecycleTimeoutMs,
    )
    const message = lifecycleReply(this.#spec.spec, 'constructor', reply)
    this.#hasTimer = message.hasTimer === true
    this.#publish = {} // a new instance: a new publish object, as a TypeScript reducer's
    this.#publishBytes.clear()
    const first = await this.#host.call({ op: 'publish' }, this.#options.limits.lifecycleTimeoutMs)
    this.#take(lifecycleReply(this.#spec.spec, 'publish', first))
  }

  async processResults(
    results: readonly RunnerResult[],
    parameters: Parameters,
  ): Promise<CallOutcome[]> {
    const out: CallOutcome[] = []
    for (let at = 0; at < results.length; at += CHUNK_RESULTS) {
      const chunk = results.slice(at, at + CHUNK_RESULTS)
      if (!this.alive) {
        while (out.length < results.length) out.push({ kind: 'skipped' })
        break
      }
      const reply = await this.#host.call(
        {
          op: 'results',
          ...this.#parameters.fields(parameters),
          publishS: this.#maxAgeMs / 2000,
          items: chunk.map((r) => [r.eventNumber, r.worker, r.parametersHash, r.payload]),
        },
        this.#options.limits.callTimeoutMs,
      )
      const { outcomes, last } = batchOutcomes(reply, chunk.length)
      this.#stale = true
      this.#take(last)
      this.#scheduleRefresh()
      out.push(...outcomes)
    }
    return out
  }

  async timer(parameters: Parameters): Promise<CallOutcome & { readonly nextS?: number }> {
    const reply = await this.#host.call(
      { op: 'timer', ...this.#parameters.fields(parameters) },
      this.#options.limits.callTimeoutMs,
    )
    if (isHostDeath(reply)) return { kind: reply.kind, reason: reply.reason }
    const message = reply[reply.length - 1] ?? {}
    this.#take(message)
    const outcome = outcomeFromWire(message.outcome)
    return typeof message.next === 'number' ? { ...outcome, nextS: message.next } : outcome
  }

  async finish(parameters: Parameters): Promise<void> {
    const reply = await this.#host.call(
      { op: 'finish', ...this.#parameters.fields(parameters) },
      this.#options.limits.lifecycleTimeoutMs,
    )
    if (!isHostDeath(reply)) this.#take(reply[reply.length - 1])
    lifecycleReply(this.#spec.spec, 'finish()', reply)
  }

  async snapshotState(): Promise<Uint8Array> {
    const reply = await this.#host.call({ op: 'snapshot' }, this.#options.limits.lifecycleTimeoutMs)
    const message = lifecycleReply(this.#spec.spec, 'snapshot_state()', reply)
    if (!(message.state instanceof Uint8Array)) throw new Error('the Python host sent no state')
    return message.state
  }

  async restoreState(state: Uint8Array): Promise<void> {
    const reply = await this.#host.call(
      { op: 'restore', state },
      this.#options.limits.lifecycleTimeoutMs,
    )
    this.#take(lifecycleReply(this.#spec.spec, 'restore_state()', reply))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#refresh)
    if (this.#host.alive) {
      const reply = await this.#host.call({ op: 'close' }, this.#options.limits.lifecycleTimeoutMs)
      try {
        lifecycleReply(this.#spec.spec, 'close()', reply)
      } catch (err) {
        this.#options.log?.('warn', String(err instanceof Error ? err.message : err))
      }
    }
    await this.#host.shutdown(Math.min(this.#options.limits.lifecycleTimeoutMs, 5000))
  }

  kill(reason: string): void {
    clearTimeout(this.#refresh)
    this.#host.kill(reason)
  }
}

/**
 * A reducer runner hosting `path/to/module.py:Class` in a Python process (Dranspose's reducer
 * API: `process_result(result, parameters)`, `timer()`, `finish(parameters)`, `publish`).
 * `publish()` returns a decoded copy refreshed by the host at least every half of
 * `publishMaxAgeMs` while results flow, and after the last batch within that time.
 * @throws BeamloomError as {@link createPythonWorkerRunner}.
 */
export async function createPythonReducerRunner(
  spec: string | ModuleSpec,
  options: PythonRunnerOptions,
): Promise<ReducerRunner> {
  const parsed = pythonSpec(spec, options.cwd)
  const host = await startPythonHost('reducer', parsed, hostOptions(options))
  return new PythonReducerRunner(host, parsed, options)
}
