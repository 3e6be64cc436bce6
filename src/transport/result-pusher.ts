import { Push } from 'zeromq'
import { StateError } from '../errors.js'
import { ServiceBase } from '../service/service-base.js'
import { connectEndpoint } from './bind-endpoint.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'
import { ABORTED, untilAborted } from './until-aborted.js'

/** Options of {@link createResultPusher}. */
export interface ResultPusherOptions extends DataSocketOptions {
  /** The reducer's PULL endpoint. */
  readonly endpoint: string
  /**
   * How long a graceful close keeps sending what is queued, in milliseconds (zmq linger).
   * A forced close drops it (those events are not complete, so they are redone).
   */
  readonly drainMs?: number
}

/**
 * A worker's end of the worker → reducer link: a zmq PUSH connected to the reducer's PULL.
 * Messages queue while the reducer is away (up to the high-water mark), so a reducer restart
 * loses nothing that was queued here.
 */
export class ResultPusher extends ServiceBase {
  readonly #options: ResultPusherOptions
  #socket: Push | undefined
  #tail: Promise<void> = Promise.resolve()
  #stallCount = 0

  constructor(options: ResultPusherOptions) {
    super('result pusher')
    this.#options = options
  }

  /** Sends that found the queue full and had to wait (back-pressure from the reducer). */
  get stallCount(): number {
    return this.#stallCount
  }

  protected override async onStart(): Promise<void> {
    const socket = new Push({ ...zmqSocketOptions(this.#options, 'send'), linger: 0 })
    this.#socket = socket
    this.addCloseStep('close socket', ({ force }) => {
      socket.linger = force ? 0 : (this.#options.drainMs ?? 1000)
      socket.close()
    })
    connectEndpoint(socket, this.#options.endpoint)
  }

  /**
   * Send one message (an encoded result batch). Parts are not copied; do not modify them
   * afterwards. Calls are sent in call order.
   *
   * Resolves once zmq has queued it; waits while the queue is at its high-water mark.
   * @throws StateError `STATE_INVALID` when not running or closed while waiting.
   * Rejects with `signal.reason` when `signal` aborts while waiting.
   */
  send(parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
    // zmq allows one waiting send per socket, and a waiting send cannot be taken back: each
    // call starts its zmq send only after the previous one has settled (or never started).
    const prior = this.#tail
    let settle: () => void = () => {}
    this.#tail = new Promise<void>((resolve) => {
      settle = resolve
    })
    return this.#send(parts, signal, prior, settle)
  }

  async #send(
    parts: readonly Uint8Array[],
    signal: AbortSignal | undefined,
    prior: Promise<void>,
    settle: () => void,
  ): Promise<void> {
    let started = false
    try {
      const wait = signal ? AbortSignal.any([signal, this.signal]) : this.signal
      if ((await untilAborted(prior, wait)) === ABORTED) this.#throwAborted(signal)
      const socket = this.#socket
      if (this.state !== 'running' || socket === undefined) {
        throw new StateError(`${this.name} is ${this.state}; cannot send`)
      }
      if (!socket.writable) this.#stallCount++
      const sent = socket.send(parts as Uint8Array[])
      started = true
      sent.then(settle, settle)
      let outcome: unknown
      try {
        outcome = await untilAborted(sent, wait)
      } catch (err) {
        if (socket.closed) throw new StateError(`${this.name} closed while sending`, { cause: err })
        throw err
      }
      if (outcome === ABORTED) this.#throwAborted(signal)
    } finally {
      // Nothing of ours reached zmq: the next send only has to wait for the one before us.
      if (!started) void prior.then(settle)
    }
  }

  #throwAborted(signal: AbortSignal | undefined): never {
    if (signal?.aborted) throw signal.reason
    throw new StateError(`${this.name} closed while waiting to send`)
  }
}

/** Create (not start) a worker's PUSH towards the reducer; `start()` connects it. */
export function createResultPusher(options: ResultPusherOptions): ResultPusher {
  return new ResultPusher(options)
}
