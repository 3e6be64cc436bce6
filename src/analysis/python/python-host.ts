import type { ChildProcess } from 'node:child_process'
import { closeSync, unlinkSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { RunnerLimits } from '../analysis-runner.js'
import type { ParameterDescription } from '../parameters.js'
import { CallDeadline, readRunningItem } from './call-deadline.js'
import { frameMessage, type MessageReader } from './host-channel.js'

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

/** How much of the host's stderr a crash report quotes, characters. */
export const STDERR_TAIL = 2000

/**
 * Forward a Python child's stdout (info) and stderr (warn) to `log`, line by line, keeping the
 * end of its stderr. Returns what a crash report quotes: the last three stderr lines.
 */
export function forwardPythonOutput(child: ChildProcess, log: HostLog | undefined): () => string {
  let tail = ''
  const forward = (stream: Readable | null, level: 'info' | 'warn'): void => {
    let partial = ''
    stream?.on('data', (d: Buffer) => {
      const text = d.toString()
      if (level === 'warn') tail = (tail + text).slice(-STDERR_TAIL)
      const lines = (partial + text).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.length > 0) log?.(level, line)
    })
  }
  forward(child.stdout, 'info')
  forward(child.stderr, 'warn')
  return () => tail.trim().split('\n').slice(-3).join(' | ')
}

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
  /** The progress file, opened (its path is gone: nothing is left behind if we die). */
  readonly #progressFd: number
  #pending: Pending | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #death: HostDeath | undefined
  /** Requests sent (the host counts them the same way; its progress file names one). */
  #requests = 0
  readonly exited: Promise<void>

  /**
   * Take over a started process that has sent its `ready` message (see `startPythonHost`):
   * from here on its replies, output and exit are this host's.
   */
  constructor(
    child: ChildProcess,
    progressFd: number,
    log: HostLog | undefined,
    parameters: readonly ParameterDescription[],
    reader: MessageReader,
  ) {
    this.#child = child
    this.#input = child.stdio[3] as Writable
    this.#progressFd = progressFd
    this.parameters = parameters
    this.exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once('exit', () => resolve()))
    ;(child.stdio[4] as Readable).on('data', (chunk: Buffer) => this.#onData(reader, chunk))
    this.#watch(log)
  }

  /** Alive until killed, crashed or closed. */
  get alive(): boolean {
    return this.#death === undefined
  }

  #watch(log: HostLog | undefined): void {
    const child = this.#child
    const stderrTail = forwardPythonOutput(child, log)
    child.on('error', () => {
      // reported through 'exit' (the process is gone either way)
    })
    const onExit = (code: number | null, signal: string | null): void => {
      const tail = stderrTail()
      this.#die(
        'crashed',
        `the Python host exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
      )
      closeQuietly(this.#progressFd)
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
      pending !== undefined ? readRunningItem(this.#progressFd, this.#requests) : undefined
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
          () => readRunningItem(this.#progressFd, request),
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
    closeQuietly(this.#progressFd)
  }
}

/** Close a file descriptor that may be closed already. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // closed already (the exit handler and shutdown both close it)
  }
}

/** Remove a file that may be gone already. */
export function removeQuietly(path: string): void {
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
