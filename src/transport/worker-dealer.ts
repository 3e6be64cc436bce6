import { Dealer } from 'zeromq'
import { ConfigError, ProtocolError } from '../errors.js'
import { DATA_PLANE_VERSION } from '../protocol/data-plane.js'
import { decodeEventBatch, type EventBatch } from '../protocol/data-plane-event-batch.js'
import { encodeWorkerToIngester } from '../protocol/data-plane-peer.js'
import type { WorkerName } from '../protocol/ids.js'
import { ServiceBase } from '../service/service-base.js'
import { connectEndpoint } from './bind-endpoint.js'
import { receiveLoop } from './receive-loop.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'

/** Options of {@link createWorkerDealer}. */
export interface WorkerDealerOptions extends DataSocketOptions {
  /** The ingester's ROUTER endpoint. */
  readonly endpoint: string
  /** This worker's name: the routing id the ingester addresses it by. 1–255 bytes. */
  readonly worker: WorkerName
  /**
   * Handles one batch of events. The next batch is not read until the returned promise
   * settles (back-pressure reaches the ingester). Throwing closes the dealer with that error.
   * `signal` aborts when the dealer closes.
   */
  readonly onBatch: (batch: EventBatch, signal: AbortSignal) => void | Promise<void>
  /** A message that does not follow the protocol; it was dropped. */
  readonly onInvalid?: (err: ProtocolError) => void
  /**
   * How long a graceful close waits for the goodbye to leave, in milliseconds (zmq linger).
   * A forced close does not wait.
   */
  readonly byeLingerMs?: number
}

/**
 * A worker's end of one ingester → worker link: a zmq DEALER connected to one ingester's ROUTER
 * with the worker's name as routing id. A worker has one per ingester, because a DEALER that
 * talks to several peers would send its hello to only one of them.
 *
 * It says hello on every (re)connection, so an ingester that restarts learns the worker again,
 * and goodbye (best effort) on a graceful close.
 */
export class WorkerDealer extends ServiceBase {
  readonly #options: WorkerDealerOptions
  #socket: Dealer | undefined
  #invalidCount = 0
  #helloCount = 0

  constructor(options: WorkerDealerOptions) {
    super(`worker dealer ${options.worker}`)
    this.#options = options
  }

  /** Messages dropped as invalid. */
  get invalidCount(): number {
    return this.#invalidCount
  }

  /** Hellos sent so far (one per connection made). */
  get helloCount(): number {
    return this.#helloCount
  }

  protected override async onStart(): Promise<void> {
    const options = this.#options
    const socket = new Dealer({
      ...zmqSocketOptions(options, 'both'),
      routingId: options.worker,
      // Hello and goodbye are the only messages sent; never wait for them.
      sendTimeout: 0,
      linger: 0,
    })
    this.#socket = socket
    this.addCloseStep('close socket', ({ force }) => {
      if (!force) this.#say('bye', options.byeLingerMs ?? 200)
      socket.close()
    })
    // The hello follows each TCP connection; zmq delivers it after the handshake.
    socket.events.on('connect', () => this.#say('hello'))
    connectEndpoint(socket, options.endpoint)
    this.spawn('receive', (signal) =>
      receiveLoop(socket, (parts) => this.#onMessage(parts, signal), signal),
    )
  }

  #say(kind: 'hello' | 'bye', lingerMs?: number): void {
    const socket = this.#socket
    if (socket === undefined || socket.closed) return
    if (lingerMs !== undefined) socket.linger = lingerMs
    const body = encodeWorkerToIngester({
      v: DATA_PLANE_VERSION,
      kind,
      worker: this.#options.worker,
    })
    if (kind === 'hello') this.#helloCount++
    // Best effort: with sendTimeout 0 a full queue rejects at once. The queue towards the
    // ingester only ever holds these small messages, so that does not happen in practice;
    // a lost hello is repeated on the next connection.
    socket.send(body).catch(() => {})
  }

  #onMessage(parts: Buffer[], signal: AbortSignal): void | Promise<void> {
    let batch: EventBatch
    try {
      batch = decodeEventBatch(parts)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      this.#invalidCount++
      this.#options.onInvalid?.(err)
      return
    }
    return this.#options.onBatch(batch, signal)
  }
}

/** Create (not start) a worker's DEALER for one ingester; `start()` connects it. */
export function createWorkerDealer(options: WorkerDealerOptions): WorkerDealer {
  if (Buffer.byteLength(options.worker) > 255) {
    throw new ConfigError(
      `worker name '${options.worker}' is longer than 255 bytes (zmq routing id)`,
    )
  }
  return new WorkerDealer(options)
}
