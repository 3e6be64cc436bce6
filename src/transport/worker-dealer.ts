import { Dealer } from 'zeromq'
import { ConfigError, ProtocolError } from '../errors.js'
import { DATA_PLANE_VERSION } from '../protocol/data-plane.js'
import { decodeEventBatch, type EventBatch } from '../protocol/data-plane-event-batch.js'
import { encodeWorkerToIngester } from '../protocol/data-plane-peer.js'
import type { WorkerName } from '../protocol/ids.js'
import { ServiceBase } from '../service/service-base.js'
import { connectEndpoint } from './bind-endpoint.js'
import { type ReceivingSocket, receiveLoop } from './receive-loop.js'
import { DATA_SOCKET_DEFAULTS, type DataSocketOptions, zmqSocketOptions } from './socket-options.js'
import type { FrameSlabs } from './zmtp/frame-slabs.js'
import { ZmtpDeviceReceiver } from './zmtp/zmtp-device-receiver.js'
import { isZmtpError } from './zmtp/zmtp-error.js'

/**
 * How a worker reads its ingester links: `zmtp`, our own ZMTP DEALER reading frames into reused
 * memory (a {@link FrameSlabs}), or `zeromq`, a zeromq.js DEALER (always used when the data
 * plane has CURVE keys, which our ZMTP does not speak, or the endpoint is not `tcp://`).
 */
export type WorkerDataReceive = 'zmtp' | 'zeromq'

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
  /** How to read the link (default `zmtp`, see {@link WorkerDataReceive}). */
  readonly receive?: WorkerDataReceive | undefined
  /**
   * Where the own receive puts frames; one per worker, shared by its links. Without it, the
   * zeromq.js DEALER is used.
   */
  readonly frameMemory?: FrameSlabs | undefined
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
  #own: ZmtpDeviceReceiver | undefined
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

  /** Whether this link reads with our own ZMTP (else zeromq.js). */
  get ownReceive(): boolean {
    return this.#own !== undefined
  }

  protected override async onStart(): Promise<void> {
    const options = this.#options
    const memory = options.frameMemory
    if (
      (options.receive ?? 'zmtp') === 'zmtp' &&
      memory !== undefined &&
      options.curve === undefined &&
      this.#startOwn(memory)
    ) {
      return
    }
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

  /**
   * The link on our own ZMTP: same hello, goodbye, back-pressure and ending. `false` (nothing
   * started) for an address it does not take (another transport, or a `tcp://` form only libzmq
   * knows, such as an interface name): zeromq.js serves it.
   */
  #startOwn(memory: FrameSlabs): boolean {
    const options = this.#options
    const hwm = options.receiveHighWaterMark ?? DATA_SOCKET_DEFAULTS.receiveHighWaterMark
    let receiver: ZmtpDeviceReceiver
    try {
      receiver = new ZmtpDeviceReceiver({
        url: options.endpoint,
        socketType: 'DEALER',
        identity: Buffer.from(options.worker),
        slabs: memory,
        // The registry says when the ingester is gone; until then, keep reconnecting.
        lostAfterMs: Number.POSITIVE_INFINITY,
        // zmq's high-water mark 0 means no limit (the byte bound stays).
        maxQueuedMessages: hwm === 0 ? Number.POSITIVE_INFINITY : hwm,
        // A batch has as many parts and bytes as the ingester's batching gives it (a soft
        // bound: one event may exceed it); the zeromq.js DEALER has no limit either.
        maxParts: Number.MAX_SAFE_INTEGER,
        maxMessageBytes: Number.MAX_SAFE_INTEGER,
        onConnection: (event) => {
          if (event.kind === 'connected') {
            this.#helloCount++
            receiver.send([this.#message('hello')])
          } else if (event.kind === 'refused') {
            // The ingester's bytes broke ZMTP: the connection is dropped with what was on it,
            // as any dropped zmq connection is, and made again.
            this.#invalidCount++
            options.onInvalid?.(
              new ProtocolError(
                `the link to ${options.endpoint} broke ZMTP (${event.reason}); connecting again`,
              ),
            )
          }
        },
      })
    } catch (err) {
      if (isZmtpError(err) && err.code === 'ZMTP_CONFIG') return false
      throw err
    }
    this.#own = receiver
    this.addCloseStep('close receiver', async ({ force }) => {
      if (force) receiver.close()
      else await receiver.closeAfter([this.#message('bye')], options.byeLingerMs ?? 200)
    })
    receiver.start()
    this.spawn('receive', (signal) => {
      const socket: ReceivingSocket = {
        receive: () => receiver.receive(signal),
        get closed() {
          return receiver.closed
        },
        get readable() {
          return receiver.ready()
        },
      }
      return receiveLoop(socket, (parts) => this.#onMessage(parts, signal), signal)
    })
    return true
  }

  #message(kind: 'hello' | 'bye'): Uint8Array {
    return encodeWorkerToIngester({ v: DATA_PLANE_VERSION, kind, worker: this.#options.worker })
  }

  #say(kind: 'hello' | 'bye', lingerMs?: number): void {
    const socket = this.#socket
    if (socket === undefined || socket.closed) return
    if (lingerMs !== undefined) socket.linger = lingerMs
    const body = this.#message(kind)
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
