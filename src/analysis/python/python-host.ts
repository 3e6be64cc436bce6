import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { BeamloomError, type ErrorCode } from '../../errors.js'
import type { RunnerLimits } from '../analysis-runner.js'
import type { ModuleSpec } from '../load-analysis-module.js'
import type { ParameterDescription } from '../parameters.js'
import { parseParameterDescriptions } from '../parameters.js'
import { CallDeadline, readRunningItem } from './call-deadline.js'
import { frameMessage, MessageReader } from './host-channel.js'
import { pythonPackageDir, sharedMemoryDir } from './python-paths.js'

/** A line the host's user code printed, or a note about the host itself. */
export type HostLog = (level: 'info' | 'warn' | 'error', line: string) => void

/** How to start a Python host. */
export interface PythonHostOptions {
  /** The interpreter (default /usr/bin/python3; see `pythonFromEnv`). */
  readonly python: string
  readonly limits: RunnerLimits
  /** Receives the user's stdout (info) and stderr (warn) line by line. */
  readonly log?: HostLog
  /** Extra environment for the interpreter. */
  readonly env?: Readonly<Record<string, string>>
}

/** Why the host stopped: the outcome kind its pending call gets, and the reason. */
export interface HostDeath {
  readonly kind: 'timeout' | 'crashed'
  readonly reason: string
  /** The item of the pending call that was running (0-based), when known. */
  readonly item: number | undefined
  /** What the host had sent for the pending call before it died (outcomes of earlier items). */
  readonly messages: readonly HostMessage[]
}

/** A message from the host (a CBOR map). */
export type HostMessage = Record<string, unknown>

interface Pending {
  readonly resolve: (value: HostMessage[] | HostDeath) => void
  readonly messages: HostMessage[]
  deadline: CallDeadline | undefined
}

const STDERR_TAIL = 2000

/**
 * numpy's BLAS runs one thread per host unless the environment says otherwise: parallelism comes
 * from running several workers, and OpenBLAS's per-thread buffers under a small memory cap
 * (`RLIMIT_DATA`) make importing numpy crawl for minutes.
 */
const ONE_BLAS_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }

/**
 * One Python process hosting one analysis class (`python3 -m beamloom.host`), and the channel to
 * it: requests on its fd 3, replies on its fd 4, one call at a time. A call over its time limit
 * kills the process; the process dying fails the pending call with a {@link HostDeath} that
 * names the item that was running (the host marks it in a small shared progress file).
 */
export class PythonHost {
  readonly parameters: readonly ParameterDescription[]
  readonly #child: ChildProcess
  readonly #input: Writable
  readonly #progressPath: string
  readonly #log: HostLog | undefined
  #pending: Pending | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #death: HostDeath | undefined
  #stderrTail = ''
  /** Requests sent (the host counts them the same way; its progress file names one). */
  #requests = 0
  readonly exited: Promise<void>

  private constructor(
    child: ChildProcess,
    progressPath: string,
    log: HostLog | undefined,
    parameters: readonly ParameterDescription[],
  ) {
    this.#child = child
    this.#input = child.stdio[3] as Writable
    this.#progressPath = progressPath
    this.#log = log
    this.parameters = parameters
    this.exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once('exit', () => resolve()))
  }

  /** Alive until killed, crashed or closed. */
  get alive(): boolean {
    return this.#death === undefined
  }

  /**
   * Start the interpreter, load the module and read its parameter descriptions.
   * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` (one line naming file and line, as
   *   the host reports it), `CONFIG_INVALID` when the interpreter cannot be started.
   */
  static async start(
    role: 'worker' | 'reducer',
    spec: ModuleSpec,
    options: PythonHostOptions,
  ): Promise<PythonHost> {
    const progressPath = join(
      sharedMemoryDir(tmpdir()),
      `beamloom-py-${process.pid}-${randomUUID()}.progress`,
    )
    writeFileSync(progressPath, Buffer.alloc(8), { mode: 0o600 })
    const args = [
      '-m',
      'beamloom.host',
      '--role',
      role,
      '--module',
      spec.path,
      '--class',
      spec.exportName,
    ]
    args.push('--progress', progressPath)
    if (Number.isFinite(options.limits.memoryMiB))
      args.push('--memory-mib', String(options.limits.memoryMiB))
    const pythonPath = [pythonPackageDir(), options.env?.PYTHONPATH, process.env.PYTHONPATH]
      .filter((p) => p)
      .join(':')
    const child = spawn(options.python, args, {
      env: {
        ...ONE_BLAS_THREAD,
        ...process.env,
        ...options.env,
        PYTHONPATH: pythonPath,
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    })
    let host: PythonHost | undefined
    const reader = new MessageReader()
    let stderr = ''
    const onStderr = (d: Buffer): void => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL)
    }
    let onError: (cause: Error) => void = () => {}
    let onExit: (code: number | null, signal: string | null) => void = () => {}
    const ready = new Promise<HostMessage>((resolve, reject) => {
      onError = (cause) =>
        reject(
          new BeamloomError(
            'CONFIG_INVALID',
            `cannot start the Python interpreter '${options.python}': ${cause.message}`,
            { cause },
          ),
        )
      onExit = (code, signal) =>
        reject(
          new BeamloomError(
            'MODULE_INVALID',
            `'${spec.spec}': the Python host exited (${signal ?? `code ${code}`}) before loading: ${stderr.trim()}`,
          ),
        )
      child.stderr?.on('data', onStderr)
      child.once('error', onError)
      child.once('exit', onExit)
      ;(child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
        if (host !== undefined) {
          host.#onData(reader, chunk)
          return
        }
        try {
          const [first] = reader.push(chunk) as HostMessage[]
          if (first !== undefined) resolve(first)
        } catch (err) {
          reject(err)
        }
      })
    })
    const timer = Number.isFinite(options.limits.lifecycleTimeoutMs)
      ? setTimeout(() => child.kill('SIGKILL'), options.limits.lifecycleTimeoutMs)
      : undefined
    let first: HostMessage
    try {
      first = await ready
    } catch (err) {
      child.kill('SIGKILL')
      removeQuietly(progressPath)
      throw err
    } finally {
      clearTimeout(timer)
      child.stderr?.off('data', onStderr)
      child.off('error', onError)
      child.off('exit', onExit)
    }
    if (typeof first.error === 'string') {
      child.kill('SIGKILL')
      removeQuietly(progressPath)
      const code: ErrorCode =
        first.code === 'MODULE_NOT_FOUND' ? 'MODULE_NOT_FOUND' : 'MODULE_INVALID'
      throw new BeamloomError(code, `'${spec.spec}': ${first.error}`)
    }
    const parameters = parseParameterDescriptions(first.parameters ?? [], spec.spec)
    host = new PythonHost(child, progressPath, options.log, parameters)
    host.#watch()
    return host
  }

  #watch(): void {
    const child = this.#child
    const forward = (stream: Readable | null, level: 'info' | 'warn'): void => {
      let partial = ''
      stream?.on('data', (d: Buffer) => {
        const text = partial + d.toString()
        if (level === 'warn')
          this.#stderrTail = (this.#stderrTail + d.toString()).slice(-STDERR_TAIL)
        const lines = text.split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) if (line.length > 0) this.#log?.(level, line)
      })
    }
    forward(child.stdout, 'info')
    forward(child.stderr, 'warn')
    child.on('error', () => {
      // reported through 'exit' (the process is gone either way)
    })
    const onExit = (code: number | null, signal: string | null): void => {
      const tail = this.#stderrTail.trim().split('\n').slice(-3).join(' | ')
      this.#die(
        'crashed',
        `the Python host exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
      )
      removeQuietly(this.#progressPath)
    }
    // It may have exited between its first message and now.
    if (child.exitCode !== null || child.signalCode !== null)
      onExit(child.exitCode, child.signalCode)
    else child.once('exit', onExit)
    ;(this.#input as Writable).on('error', () => {
      // the host is gone; 'exit' says so
    })
  }

  #onData(reader: MessageReader, chunk: Buffer): void {
    let messages: HostMessage[]
    try {
      messages = reader.push(chunk) as HostMessage[]
    } catch (err) {
      this.kill(`the Python host sent a malformed message: ${String(err)}`)
      return
    }
    for (const m of messages) this.#onMessage(m)
  }

  #onMessage(message: HostMessage): void {
    const pending = this.#pending
    if (pending === undefined) return
    if (typeof message.crashed === 'string') {
      this.#die('crashed', message.crashed)
      return
    }
    pending.messages.push(message)
    if (message.outcomes !== undefined && message.done !== true) return
    this.#settle(pending.messages)
  }

  #settle(value: HostMessage[] | HostDeath): void {
    const pending = this.#pending
    if (pending === undefined) return
    this.#pending = undefined
    pending.deadline?.cancel()
    pending.resolve(value)
  }

  #die(kind: HostDeath['kind'], reason: string): void {
    if (this.#death !== undefined) return
    const pending = this.#pending
    const item =
      pending !== undefined ? readRunningItem(this.#progressPath, this.#requests) : undefined
    this.#death = { kind, reason, item, messages: [] }
    this.#child.kill('SIGKILL')
    if (pending !== undefined) this.#settle({ ...this.#death, messages: pending.messages })
  }

  /**
   * Send one request and wait for its reply (every message up to the one marked `done` for
   * batch requests). Calls queue: one runs at a time. Resolves a {@link HostDeath} when the
   * host dies or overruns `timeoutMs` (per item of a batch) during the call; never rejects.
   */
  call(message: HostMessage, timeoutMs: number): Promise<HostMessage[] | HostDeath> {
    const run = async (): Promise<HostMessage[] | HostDeath> => {
      if (this.#death !== undefined) return this.#death
      return new Promise((resolve) => {
        const pending: Pending = { resolve, messages: [], deadline: undefined }
        this.#pending = pending
        const request = ++this.#requests
        pending.deadline = new CallDeadline(
          timeoutMs,
          () => readRunningItem(this.#progressPath, request),
          () =>
            this.#die(
              'timeout',
              `the call ran longer than its limit of ${timeoutMs} ms (the Python host was killed)`,
            ),
        )
        this.#input.write(frameMessage(message))
      })
    }
    const result = this.#queue.then(run)
    this.#queue = result
    return result
  }

  /** Stop the process now; a pending call resolves `crashed` with `reason`. Idempotent. */
  kill(reason: string): void {
    this.#die('crashed', reason)
  }

  /** End the channel and wait up to `graceMs` for the process to exit, then kill it. */
  async shutdown(graceMs: number): Promise<void> {
    this.#input.end()
    const timer = setTimeout(() => this.kill('closed'), graceMs)
    await this.exited
    clearTimeout(timer)
    this.#death ??= { kind: 'crashed', reason: 'closed', item: undefined, messages: [] }
    removeQuietly(this.#progressPath)
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // removed already (the exit handler and shutdown both clean up)
  }
}

/** Whether a call's answer is the host's death rather than its replies. */
export function isHostDeath(value: HostMessage[] | HostDeath): value is HostDeath {
  return !Array.isArray(value)
}
