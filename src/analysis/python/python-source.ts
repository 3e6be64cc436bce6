import { type ChildProcess, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { AnalysisError, BeamloomError, type ErrorCode, ProtocolError } from '../../errors.js'
import type { StreamData, WorkerMessage } from '../../protocol/event.js'
import { eventNumber } from '../../protocol/ids.js'
import { frameMessage, MessageReader } from './host-channel.js'
import { forwardPythonOutput, type HostLog } from './python-host.js'
import { DEFAULT_PYTHON, pythonPackageDir } from './python-paths.js'

/** Options of {@link openPythonSource}. */
export interface PythonSourceOptions {
  /** The interpreter (default /usr/bin/python3; `pythonFromEnv` reads `BEAMLOOM_PYTHON`). */
  readonly python?: string
  /** Where a relative `.py` path or a dotted module is found (default the working directory). */
  readonly cwd?: string
  /** Receives the source's stdout (info) and stderr (warn), line by line. */
  readonly log?: HostLog
  /** Messages asked of the source per request (default 64). */
  readonly batch?: number
}

/** A Python replay source class, running in its own interpreter. */
export interface PythonSource {
  /** How many generators `get_source_generators()` returned. */
  readonly generators: number
  /** The messages of generator `index`; ending the iteration early is allowed. */
  messages(index: number): SourceMessages
  /** Stop the interpreter (also done once every generator has ended or been closed). */
  close(): void
}

/** The messages of one generator; `return()` ends it, read or not. */
export interface SourceMessages extends AsyncIterableIterator<WorkerMessage, undefined> {
  return(): Promise<IteratorResult<WorkerMessage, undefined>>
}

type Reply = Record<string, unknown>

/**
 * Start `python3 -m beamloom.source` for `module:Class` (a `.py` file or a dotted module, as
 * Dranspose's `replay -s` takes) and return its generators. Messages are asked for in batches,
 * one generator at a time, so a generator runs only as far as the replay reads it.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` (one line naming file and line),
 *   `CONFIG_INVALID` when the interpreter cannot be started.
 */
export async function openPythonSource(
  module: string,
  className: string,
  options: PythonSourceOptions = {},
): Promise<PythonSource> {
  const python = options.python ?? DEFAULT_PYTHON
  const cwd = options.cwd ?? process.cwd()
  const spec = `${module}:${className}`
  const pythonPath = [pythonPackageDir(), process.env.PYTHONPATH].filter((p) => p).join(':')
  const child = spawn(
    python,
    ['-m', 'beamloom.source', '--module', module, '--class', className, '--cwd', cwd],
    {
      cwd,
      env: { ...process.env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    },
  )
  const channel = new SourceChannel(child, spec, options.log)
  const first = await channel.first(python)
  if (typeof first.error === 'string') {
    channel.close()
    const code: ErrorCode =
      first.code === 'MODULE_NOT_FOUND' ? 'MODULE_NOT_FOUND' : 'MODULE_INVALID'
    throw new BeamloomError(code, `--source '${spec}': ${first.error}`)
  }
  const generators = Number(first.generators)
  const batch = Math.max(1, options.batch ?? 64)
  let open = generators
  const ended = (): void => {
    open--
    if (open <= 0) channel.close()
  }
  if (generators === 0) channel.close()
  return {
    generators,
    messages: (index) => new GeneratorMessages(channel, spec, index, batch, ended),
    close: () => channel.close(),
  }
}

/**
 * The messages of one generator, asked for in batches. An iterator object rather than an async
 * generator so that `return()` ends it (and lets the host go) even before its first `next()`.
 */
class GeneratorMessages implements SourceMessages {
  #buffered: WorkerMessage[] = []
  #more = true
  #ended = false
  #last: number | undefined

  constructor(
    private readonly channel: SourceChannel,
    private readonly spec: string,
    private readonly index: number,
    private readonly batch: number,
    private readonly onEnd: () => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<WorkerMessage, undefined>> {
    try {
      while (this.#buffered.length === 0 && this.#more && !this.#ended) await this.#fetch()
    } catch (err) {
      this.#end()
      throw err
    }
    const msg = this.#buffered.shift()
    if (msg === undefined) {
      this.#end()
      return { done: true, value: undefined }
    }
    this.#last = msg.eventNumber
    return { done: false, value: msg }
  }

  async return(): Promise<IteratorResult<WorkerMessage, undefined>> {
    this.#end()
    return { done: true, value: undefined }
  }

  async #fetch(): Promise<void> {
    const reply = await this.channel.request({ next: this.index, count: this.batch })
    if (typeof reply.error === 'string') {
      throw new AnalysisError(this.spec, this.#last, reply.error, undefined)
    }
    if (!Array.isArray(reply.messages)) {
      throw new ProtocolError(`--source '${this.spec}': the source host sent no messages`)
    }
    for (const wire of reply.messages) this.#buffered.push(fromWire(wire, this.spec))
    if (reply.done === true) this.#more = false
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.#buffered = []
    this.onEnd()
  }
}

/** `[event_number, {name: [typ, [frame, …]]}]` as the source host writes it. */
function fromWire(wire: unknown, spec: string): WorkerMessage {
  const bad = (): ProtocolError =>
    new ProtocolError(`--source '${spec}': the source host sent a malformed message`)
  if (!Array.isArray(wire) || wire.length !== 2) throw bad()
  const [number, streams] = wire as [unknown, unknown]
  if (!Number.isSafeInteger(number) || (number as number) < 0) throw bad()
  if (typeof streams !== 'object' || streams === null || Array.isArray(streams)) throw bad()
  const out: Record<string, StreamData> = {}
  for (const [name, stream] of Object.entries(streams)) {
    if (!Array.isArray(stream) || stream.length !== 2) throw bad()
    const [typ, frames] = stream as [unknown, unknown]
    if (typeof typ !== 'string' || !Array.isArray(frames)) throw bad()
    if (!frames.every((f) => f instanceof Uint8Array)) throw bad()
    out[name] = { typ, frames: frames as Uint8Array[] }
  }
  return { eventNumber: eventNumber(number as number), streams: out }
}

/** The pipes to one source host: requests answered in order, one at a time. */
class SourceChannel {
  readonly #child: ChildProcess
  readonly #spec: string
  readonly #reader = new MessageReader()
  readonly #replies: Reply[] = []
  readonly #waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = []
  readonly #stderrTail: () => string
  #dead: Error | undefined
  #closed = false

  constructor(child: ChildProcess, spec: string, log: HostLog | undefined) {
    this.#child = child
    this.#spec = spec
    this.#stderrTail = forwardPythonOutput(child, log)
    ;(child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      try {
        for (const m of this.#reader.push(chunk)) this.#deliver(m as Reply)
      } catch (err) {
        this.#fail(err as Error)
        child.kill('SIGKILL')
      }
    })
    ;(child.stdio[3] as Writable).on('error', () => {
      // a host that died is reported through 'exit'
    })
    child.once('error', (cause) =>
      this.#fail(
        new BeamloomError(
          'CONFIG_INVALID',
          `cannot start the Python interpreter: ${cause.message}`,
          {
            cause,
          },
        ),
      ),
    )
    child.once('exit', (code, signal) => {
      if (this.#closed && this.#waiting.length === 0) return
      const tail = this.#stderrTail()
      this.#fail(
        new AnalysisError(
          this.#spec,
          undefined,
          `the Python source host exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
          undefined,
        ),
      )
    })
  }

  /** The host's first message (ready, or the load error). */
  async first(python: string): Promise<Reply> {
    try {
      return await this.#next()
    } catch (err) {
      this.close()
      if (err instanceof BeamloomError && err.code === 'CONFIG_INVALID') {
        throw new BeamloomError(
          'CONFIG_INVALID',
          `--source '${this.#spec}': cannot start the Python interpreter '${python}': ${err.message}`,
          { cause: err },
        )
      }
      throw new BeamloomError(
        'MODULE_INVALID',
        `--source '${this.#spec}': ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  request(message: Record<string, unknown>): Promise<Reply> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead)
    ;(this.#child.stdio[3] as Writable).write(frameMessage(message))
    return this.#next()
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    ;(this.#child.stdio[3] as Writable).end()
    const child = this.#child
    if (child.exitCode === null && child.signalCode === null) {
      // A generator may be stuck in user code: it gets a moment, then it is ended.
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
      timer.unref()
      child.once('exit', () => clearTimeout(timer))
    }
  }

  #next(): Promise<Reply> {
    const ready = this.#replies.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.#dead !== undefined) return Promise.reject(this.#dead)
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
  }

  #deliver(reply: Reply): void {
    const waiter = this.#waiting.shift()
    if (waiter === undefined) this.#replies.push(reply)
    else waiter.resolve(reply)
  }

  #fail(err: Error): void {
    if (this.#dead !== undefined) return
    this.#dead = err
    for (const w of this.#waiting.splice(0)) w.reject(err)
  }
}
