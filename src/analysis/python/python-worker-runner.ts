import { tmpdir } from 'node:os'
import type { CallOutcome, RunnerEvent, WorkerRunner } from '../analysis-runner.js'
import type { AnalysisState } from '../contract.js'
import type { ModuleSpec } from '../load-analysis-module.js'
import type { ParameterDescription, Parameters } from '../parameters.js'
import { DEFAULT_INLINE_MAX_BYTES, FrameSegment } from './frame-segment.js'
import type { PythonHost } from './python-host.js'
import { sharedMemoryDir } from './python-paths.js'
import { hostOptions, type PythonRunnerOptions, pythonSpec } from './python-runner-options.js'
import { batchOutcomes, lifecycleReply, ParameterSender } from './runner-wire.js'
import { startPythonHost } from './start-python-host.js'

/** Events per request to the host, and shared-memory bytes per request. */
const CHUNK_EVENTS = 512
const CHUNK_SHM_BYTES = 32 * 1024 * 1024

type WireFrame = Uint8Array | [number, number]

class PythonWorkerRunner implements WorkerRunner {
  readonly kind = 'python'
  readonly #host: PythonHost
  readonly #spec: ModuleSpec
  readonly #options: PythonRunnerOptions
  readonly #segment = new FrameSegment(sharedMemoryDir(tmpdir()))
  readonly #parameters = new ParameterSender()
  readonly #inlineMax: number
  #closed = false
  #shmFailed = false

  constructor(host: PythonHost, spec: ModuleSpec, options: PythonRunnerOptions) {
    this.#host = host
    this.#spec = spec
    this.#options = options
    this.#inlineMax = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES
  }

  get parameters(): readonly ParameterDescription[] {
    return this.#host.parameters
  }

  get alive(): boolean {
    return this.#host.alive && !this.#closed
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
    lifecycleReply(this.#spec.spec, 'constructor', reply)
  }

  async processEvents(
    events: readonly RunnerEvent[],
    parameters: Parameters,
  ): Promise<CallOutcome[]> {
    const out: CallOutcome[] = []
    let at = 0
    while (at < events.length) {
      if (!this.alive) {
        while (out.length < events.length) out.push({ kind: 'skipped' })
        break
      }
      this.#segment.reset()
      const items: unknown[] = []
      while (
        at < events.length &&
        items.length < CHUNK_EVENTS &&
        (items.length === 0 || this.#segment.used < CHUNK_SHM_BYTES)
      ) {
        items.push(this.#item(events[at] as RunnerEvent))
        at++
      }
      const segment = this.#segment.takeAnnouncement()
      const reply = await this.#host.call(
        {
          op: 'events',
          ...this.#parameters.fields(parameters),
          ...(segment !== undefined ? { segment } : {}),
          used: this.#segment.used,
          items,
        },
        this.#options.limits.callTimeoutMs,
      )
      const { outcomes, last } = batchOutcomes(reply, items.length)
      this.#segment.hostOpened()
      if (last?.kept === true) this.#segment.rotate()
      out.push(...outcomes)
    }
    return out
  }

  #item({ event, tick }: RunnerEvent): unknown {
    const streams: Record<string, [string, WireFrame[]]> = {}
    for (const [name, stream] of Object.entries(event.streams)) {
      streams[name] = [stream.typ, stream.frames.map((f) => this.#frame(f))]
    }
    return [event.eventNumber, tick, streams]
  }

  /** A frame for the message: inline when small, else in shared memory (inline if that fails). */
  #frame(frame: Uint8Array): WireFrame {
    if (frame.length < this.#inlineMax || this.#shmFailed) return frame
    try {
      return this.#segment.write(frame)
    } catch (err) {
      // /dev/shm full or missing (a container's is 64 MiB): copies through the pipe still work.
      this.#shmFailed = true
      this.#options.log?.(
        'warn',
        `shared memory for frames failed, sending them inline: ${String(err)}`,
      )
      return frame
    }
  }

  async finish(parameters: Parameters): Promise<void> {
    const reply = await this.#host.call(
      { op: 'finish', ...this.#parameters.fields(parameters) },
      this.#options.limits.lifecycleTimeoutMs,
    )
    lifecycleReply(this.#spec.spec, 'finish()', reply)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#host.alive) {
      const reply = await this.#host.call({ op: 'close' }, this.#options.limits.lifecycleTimeoutMs)
      try {
        lifecycleReply(this.#spec.spec, 'close()', reply)
      } catch (err) {
        this.#options.log?.('warn', String(err instanceof Error ? err.message : err))
      }
    }
    await this.#host.shutdown(Math.min(this.#options.limits.lifecycleTimeoutMs, 5000))
    this.#segment.close()
  }

  kill(reason: string): void {
    this.#host.kill(reason)
    this.#segment.close()
  }
}

/**
 * A worker runner hosting `path/to/module.py:Class` in a Python process (Dranspose's worker API:
 * `process_event(event, parameters, tick)`). Resolves once the module is loaded and its
 * `describe_parameters()` read.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` (one line naming file and line:
 *   syntax error, missing package, missing class), `CONFIG_INVALID` (no such interpreter).
 */
export async function createPythonWorkerRunner(
  spec: string | ModuleSpec,
  options: PythonRunnerOptions,
): Promise<WorkerRunner> {
  const parsed = pythonSpec(spec, options.cwd)
  const host = await startPythonHost('worker', parsed, hostOptions(options))
  return new PythonWorkerRunner(host, parsed, options)
}
