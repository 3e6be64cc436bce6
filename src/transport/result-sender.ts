import { Dealer } from 'zeromq'
import { ConfigError, ProtocolError, StateError } from '../errors.js'
import { decodeResultAck, type ResultAck } from '../protocol/data-plane-result-ack.js'
import { ServiceBase } from '../service/service-base.js'
import { connectEndpoint } from './bind-endpoint.js'
import { receiveLoop } from './receive-loop.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'
import { ABORTED, untilAborted } from './until-aborted.js'

/** Options of {@link createResultSender}. */
export interface ResultSenderOptions extends DataSocketOptions {
  /** The reducer's ROUTER endpoint (`endpoints.results` in the registry). */
  readonly endpoint: string
  /** This socket's routing id (1–255 bytes, unique among the reducer's peers). */
  readonly routingId: string
  /** An acknowledgement from the reducer. */
  readonly onAck: (ack: ResultAck) => void
  /**
   * A connection to the reducer was made (the first one, and each one after a loss): batches
   * that may have been lost with the old connection should be sent again.
   */
  readonly onConnected?: () => void
  /** A message from the reducer that does not follow the protocol; it was dropped. */
  readonly onInvalid?: (err: ProtocolError) => void
  /**
   * How long a graceful close keeps sending what is queued, in milliseconds (zmq linger).
   * Nothing depends on it: unacknowledged batches are sent again by whoever takes the events.
   */
  readonly drainMs?: number
}

/**
 * A worker's end of the worker ⇄ reducer link: a zmq DEALER connected to the reducer's ROUTER.
 * Result batches go one way, acknowledgements ({@link ResultAck}) the other. The socket does
 * not decide what is lost: its owner keeps every batch until the reducer acknowledges it as
 * durable and sends it again on {@link ResultSenderOptions.onConnected}.
 */
export class ResultSender extends ServiceBase {
  readonly #options: ResultSenderOptions
  #socket: Dealer | undefined
  #tail: Promise<void> = Promise.resolve()
  #stallCount = 0
  #connections = 0
  #invalidCount = 0

  constructor(options: ResultSenderOptions) {
    super('result sender')
    this.#options = options
  }

  /** Sends that found the queue full and had to wait (back-pressure from the reducer). */
  get stallCount(): number {
    return this.#stallCount
  }

  /** Connections made so far (1 after the first, more after losses). */
  get connections(): number {
    return this.#connections
  }

  /** Messages from the reducer dropped as invalid. */
  get invalidCount(): number {
    return this.#invalidCount
  }

  protected override async onStart(): Promise<void> {
    const options = this.#options
    const socket = new Dealer({
      ...zmqSocketOptions(options, 'both'),
      routingId: options.routingId,
      linger: 0,
    })
    this.#socket = socket
    this.addCloseStep('close socket', ({ force }) => {
      socket.linger = force ? 0 : (options.drainMs ?? 200)
      socket.close()
    })
    socket.events.on('connect', () => {
      this.#connections++
      options.onConnected?.()
    })
    connectEndpoint(socket, options.endpoint)
    this.spawn('receive', (signal) =>
      receiveLoop(socket, (parts) => this.#onMessage(parts), signal),
    )
  }

  /**
   * Send one message (an encoded result batch). Parts are not copied and must not be modified
   * afterwards (sending the same parts again is fine). Calls are sent in call order.
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

  #onMessage(parts: Buffer[]): void {
    let ack: ResultAck
    try {
      ack = decodeResultAck(parts)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      this.#invalidCount++
      this.#options.onInvalid?.(err)
      return
    }
    this.#options.onAck(ack)
  }

  #throwAborted(signal: AbortSignal | undefined): never {
    if (signal?.aborted) throw signal.reason
    throw new StateError(`${this.name} closed while waiting to send`)
  }
}

/**
 * Create (not start) a worker's DEALER towards the reducer; `start()` connects it.
 * @throws ConfigError `CONFIG_INVALID` for a routing id longer than 255 bytes.
 */
export function createResultSender(options: ResultSenderOptions): ResultSender {
  if (Buffer.byteLength(options.routingId) > 255 || options.routingId.length === 0) {
    throw new ConfigError(`routing id '${options.routingId}' must be 1–255 bytes`)
  }
  return new ResultSender(options)
}
