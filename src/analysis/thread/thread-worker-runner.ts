import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { BeamloomError, type ErrorCode, isErrorCode } from '../../errors.js'
import type { EventData, StreamData } from '../../protocol/event.js'
import type { CallOutcome, RunnerEvent, RunnerLimits, WorkerRunner } from '../analysis-runner.js'
import type { AnalysisState } from '../contract.js'
import type { ParameterDescription, Parameters } from '../parameters.js'
import { type FromThread, PROGRESS, type ThreadData, type ToThread } from './thread-messages.js'

/** Options of {@link createThreadWorkerRunner}. */
export interface ThreadWorkerRunnerOptions {
  /** `path/to/file.ts:Export`. */
  readonly spec: string
  readonly cwd?: string | undefined
  readonly limits: RunnerLimits
  /** The thread's name (shown in profiles and errors). */
  readonly name: string
}

/**
 * The compiled thread body. Worker threads run JavaScript: when this file runs from its
 * TypeScript source (tests), the compiled sibling under `dist/` is used.
 */
function threadEntry(): URL {
  const here = new URL('./analysis-thread.js', import.meta.url)
  if (existsSync(fileURLToPath(here))) return here
  const path = fileURLToPath(here).replace(
    /\/src\/analysis\/thread\/analysis-thread\.js$/,
    '/dist/src/analysis/thread/analysis-thread.js',
  )
  return pathToFileURL(path)
}

/** How often the engine looks at a running call (time limit, memory cap), ms. */
function watchEveryMs(limits: RunnerLimits): number {
  return Math.max(10, Math.min(100, limits.callTimeoutMs / 10))
}

/** Where each frame starts in a packed buffer: a multiple of this, so any typed array fits. */
const FRAME_ALIGN = 64

/**
 * The events with their frames copied into one new buffer (each frame at a 64-byte-aligned
 * offset, as a `Uint8Array` over it), for `postMessage` to move to the thread without another
 * copy. The buffer is the thread's from then on: an analysis may keep any frame for as long as
 * it likes, nothing reuses the memory. (Frames received from zmq cannot be moved: zeromq.js
 * marks its buffers untransferable, and a structured clone copies each frame twice.)
 */
export function packFrames(events: readonly EventData[]): {
  events: EventData[]
  buffer: ArrayBuffer
} {
  let total = 0
  for (const event of events)
    for (const stream of Object.values(event.streams))
      for (const frame of stream.frames) total = align(total) + frame.byteLength
  // Not zero-filled: every byte but the alignment gaps is written below, and the gaps are.
  const bytes = Buffer.allocUnsafeSlow(align(total))
  const buffer = bytes.buffer as ArrayBuffer
  let at = 0
  const packed = events.map((event) => {
    const streams: Record<string, StreamData> = {}
    for (const [name, stream] of Object.entries(event.streams)) {
      streams[name] = {
        ...stream,
        frames: stream.frames.map((frame) => {
          const start = align(at)
          bytes.fill(0, at, start)
          bytes.set(frame, start)
          at = start + frame.byteLength
          return new Uint8Array(buffer, start, frame.byteLength)
        }),
      }
    }
    return { ...event, streams }
  })
  bytes.fill(0, at)
  return { events: packed, buffer }
}

function align(n: number): number {
  return Math.ceil(n / FRAME_ALIGN) * FRAME_ALIGN
}

interface Waiting {
  readonly resolve: (message: FromThread) => void
  readonly reject: (err: Error) => void
}

/**
 * Hosts a TypeScript/JavaScript worker class in a worker thread (DESIGN.md "Poison and runaway
 * analyses"). The engine's thread keeps the data plane; the analysis thread runs `processEvent`
 * and can be stopped at any point: a call longer than `callTimeoutMs`, a heap beyond
 * `memoryMiB` (V8's limit for the thread, and the process's resident memory over what it was
 * when the thread started, for typed arrays), or the thread's death end the runner with a
 * `timeout` / `crashed` outcome for the event in progress. The frames of a batch are copied once
 * into one fresh buffer that moves to the thread ({@link packFrames}); results come back encoded.
 */
class ThreadWorkerRunner implements WorkerRunner {
  readonly kind = 'thread' as const
  parameters: readonly ParameterDescription[] = []
  readonly #o: ThreadWorkerRunnerOptions
  readonly #progress = new Float64Array(new SharedArrayBuffer(8 * PROGRESS.size))
  #worker: Worker | undefined
  #waiting: Waiting | undefined
  #death: string | undefined
  #batch = 0
  #memoryBaseline = { rss: 0, external: 0 }

  constructor(options: ThreadWorkerRunnerOptions) {
    this.#o = options
  }

  get alive(): boolean {
    return this.#death === undefined
  }

  /** Start the thread and load the module; rejects with the loader's error code. */
  async load(): Promise<void> {
    const { limits } = this.#o
    const data: ThreadData = {
      spec: this.#o.spec,
      cwd: this.#o.cwd,
      progress: this.#progress.buffer as SharedArrayBuffer,
    }
    const worker = new Worker(threadEntry(), {
      workerData: data,
      name: this.#o.name,
      ...(Number.isFinite(limits.memoryMiB)
        ? { resourceLimits: { maxOldGenerationSizeMb: Math.max(16, limits.memoryMiB) } }
        : {}),
    })
    this.#worker = worker
    const { rss, external } = process.memoryUsage()
    this.#memoryBaseline = { rss, external }
    worker.on('message', (message: FromThread) => {
      const waiting = this.#waiting
      this.#waiting = undefined
      waiting?.resolve(message)
    })
    worker.on('error', (err) => this.#die(`the analysis thread failed: ${err.message}`))
    worker.on('exit', (code) => this.#die(`the analysis thread exited (code ${code})`))
    const loaded = await this.#answer(undefined, limits.lifecycleTimeoutMs)
    if (loaded.op !== 'loaded') throw this.#error(loaded)
    this.parameters = loaded.parameters
  }

  async begin(init: { parameters: Parameters; state: AnalysisState }): Promise<void> {
    const reply = await this.#ask({ op: 'begin', ...init }, this.#o.limits.lifecycleTimeoutMs)
    if (reply.op !== 'ok') throw this.#error(reply)
  }

  async processEvents(
    events: readonly RunnerEvent[],
    parameters: Parameters,
    signal?: AbortSignal,
  ): Promise<CallOutcome[]> {
    if (events.length === 0) return []
    // Closing: the thread skips what it has not started.
    const stop = (): void => {
      this.#progress[PROGRESS.stop] = 1
    }
    this.#progress[PROGRESS.stop] = 0
    if (signal?.aborted) stop()
    else signal?.addEventListener('abort', stop, { once: true })
    try {
      return await this.#run(events, parameters)
    } finally {
      signal?.removeEventListener('abort', stop)
    }
  }

  async #run(events: readonly RunnerEvent[], parameters: Parameters): Promise<CallOutcome[]> {
    const batch = ++this.#batch
    const skipped = (): CallOutcome[] => events.map(() => ({ kind: 'skipped' }))
    if (!this.alive) return skipped()
    const packed = packFrames(events.map((e) => e.event))
    const message: ToThread = { op: 'events', batch, events: packed.events, parameters }
    try {
      const reply = await this.#ask(message, Number.POSITIVE_INFINITY, () => this.#watch(batch), [
        packed.buffer,
      ])
      if (reply.op === 'outcomes' && reply.batch === batch) return [...reply.outcomes]
      return skipped()
    } catch {
      // The thread was stopped during the batch: the event in progress takes the blame.
      const outcomes = skipped()
      const index = this.#progress[PROGRESS.batch] === batch ? this.#progress[PROGRESS.index]! : -1
      const reason = this.#death ?? 'the analysis thread stopped'
      if (index >= 0 && index < outcomes.length) {
        outcomes[index] = reason.includes('time limit')
          ? { kind: 'timeout', reason }
          : { kind: 'crashed', reason }
      }
      return outcomes
    }
  }

  async finish(parameters: Parameters): Promise<void> {
    const reply = await this.#ask({ op: 'finish', parameters }, this.#o.limits.lifecycleTimeoutMs)
    if (reply.op !== 'ok') throw this.#error(reply)
  }

  async close(): Promise<void> {
    if (this.alive) {
      await this.#ask({ op: 'close' }, this.#o.limits.lifecycleTimeoutMs).catch(() => {
        // close(context) of the user's class failed or hung: the thread goes anyway.
      })
    }
    this.kill('closed')
    await this.#worker?.terminate()
  }

  kill(reason: string): void {
    this.#die(reason)
    void this.#worker?.terminate()
  }

  /** The running call: stop the thread when it overran its time or the memory cap. */
  #watch(batch: number): string | undefined {
    const { callTimeoutMs, memoryMiB } = this.#o.limits
    const started = this.#progress[PROGRESS.startedAt]!
    if (this.#progress[PROGRESS.batch] === batch && started > 0) {
      const ms = Date.now() - started
      if (ms > callTimeoutMs) return `processEvent overran its time limit of ${callTimeoutMs} ms`
    }
    if (Number.isFinite(memoryMiB)) {
      // The process grew by the thread's memory and by what this (the engine's) thread holds:
      // frames waiting to be processed are the engine's external memory, not the analysis's.
      const now = process.memoryUsage()
      const base = this.#memoryBaseline
      const engine = Math.max(0, now.external - base.external)
      const grown = (now.rss - base.rss - engine) / 2 ** 20
      if (grown > memoryMiB) {
        return `the analysis exceeded its memory cap of ${memoryMiB} MiB (${Math.round(grown)} MiB)`
      }
    }
    return undefined
  }

  #ask(
    message: ToThread,
    timeoutMs: number,
    watch?: () => string | undefined,
    transfer: readonly ArrayBuffer[] = [],
  ): Promise<FromThread> {
    if (!this.alive || this.#worker === undefined) {
      return Promise.reject(new BeamloomError('STATE_INVALID', this.#death ?? 'no analysis thread'))
    }
    const answer = this.#answer(watch, timeoutMs)
    this.#worker.postMessage(message, transfer)
    return answer
  }

  /** The thread's next message; rejects when it dies, overruns `timeoutMs` or `watch` says so. */
  #answer(watch: (() => string | undefined) | undefined, timeoutMs: number): Promise<FromThread> {
    return new Promise<FromThread>((resolve, reject) => {
      const startedAt = Date.now()
      const timer = setInterval(
        () => {
          const verdict =
            watch?.() ??
            (Date.now() - startedAt > timeoutMs
              ? `the analysis did not answer within its time limit of ${timeoutMs} ms`
              : undefined)
          if (verdict !== undefined) this.kill(verdict)
        },
        watchEveryMs({
          ...this.#o.limits,
          callTimeoutMs: Math.min(this.#o.limits.callTimeoutMs, timeoutMs),
        }),
      )
      this.#waiting = {
        resolve: (m) => {
          clearInterval(timer)
          resolve(m)
        },
        reject: (err) => {
          clearInterval(timer)
          reject(err)
        },
      }
    })
  }

  #die(reason: string): void {
    if (this.#death !== undefined) return
    this.#death = reason
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.reject(new BeamloomError('ANALYSIS_FAILED', reason))
  }

  #error(reply: FromThread): Error {
    if (reply.op === 'error') {
      const code: ErrorCode = isErrorCode(reply.code) ? reply.code : 'ANALYSIS_FAILED'
      return new BeamloomError(code, reply.message)
    }
    return new BeamloomError(
      'ANALYSIS_FAILED',
      `unexpected answer '${reply.op}' from the analysis thread`,
    )
  }
}

/**
 * Start a worker thread that hosts the class `spec` names, and load it.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` as the module loader, or
 *   `ANALYSIS_FAILED` when the thread dies or does not answer in time.
 */
export async function createThreadWorkerRunner(
  options: ThreadWorkerRunnerOptions,
): Promise<WorkerRunner> {
  const runner = new ThreadWorkerRunner(options)
  try {
    await runner.load()
  } catch (err) {
    runner.kill('failed to load')
    throw err
  }
  return runner
}
