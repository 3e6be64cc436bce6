import { Router } from 'zeromq'
import { ProtocolError, StateError } from '../errors.js'
import {
  decodeWorkerToIngester,
  type WorkerBye,
  type WorkerHello,
} from '../protocol/data-plane-peer.js'
import type { WorkerName } from '../protocol/ids.js'
import { isAbortError, sleep } from '../service/abort.js'
import { ServiceBase } from '../service/service-base.js'
import { bindEndpoint, DEFAULT_BIND_ADDRESS } from './bind-endpoint.js'
import { PeerUnreachableError } from './peer-unreachable-error.js'
import { receiveLoop } from './receive-loop.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'
import { acquireZapHandler } from './zap-handler.js'
import { zmqErrorCode } from './zmq-error.js'

/** Options of {@link createIngesterRouter}. */
export interface IngesterRouterOptions extends DataSocketOptions {
  /** Address to bind; default `tcp://127.0.0.1:*`. Read the real one from `endpoint`. */
  readonly bind?: string
  /** Longest pause, in milliseconds, between retries while a worker's queue is full. */
  readonly retryMaxMs?: number
  /** A worker said hello (on every (re)connection; duplicates are normal). */
  readonly onHello?: (hello: WorkerHello) => void
  /** A worker said goodbye (graceful close). */
  readonly onBye?: (bye: WorkerBye) => void
  /** A message from a worker that does not follow the protocol; it was dropped. */
  readonly onInvalid?: (err: ProtocolError) => void
}

/**
 * The ingester's end of the ingester → worker link: a zmq ROUTER, bound, that routes each
 * message to one worker by name (the worker's DEALER routing id).
 *
 * Routing is mandatory: a message for a worker that is not connected is an error
 * ({@link PeerUnreachableError}), never a silent drop. When a worker's queue is full,
 * {@link IngesterRouter.sendTo} waits for that worker only; sends to other workers go on.
 */
export class IngesterRouter extends ServiceBase {
  readonly #options: IngesterRouterOptions
  #socket: Router | undefined
  #endpoint: string | undefined
  readonly #workers = new Set<WorkerName>()
  readonly #tails = new Map<WorkerName, Promise<void>>()
  #invalidCount = 0
  #stallCount = 0

  constructor(options: IngesterRouterOptions = {}) {
    super('ingester router')
    this.#options = options
  }

  /** The bound endpoint (`tcp://127.0.0.1:40123`). @throws StateError before start. */
  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  /** Workers that said hello and have not said goodbye or become unreachable since. */
  get workers(): ReadonlySet<WorkerName> {
    return this.#workers
  }

  /** Messages from workers dropped as invalid. */
  get invalidCount(): number {
    return this.#invalidCount
  }

  /** Sends that found their worker's queue full and had to wait (back-pressure). */
  get stallCount(): number {
    return this.#stallCount
  }

  protected override async onStart(): Promise<void> {
    const curve = this.#options.curve
    if (curve !== undefined) {
      // Admit only workers that hold the deployment's key pair (released after the socket).
      const release = await acquireZapHandler(curve.publicKey)
      this.addCloseStep('zap handler', release)
    }
    const socket = new Router({
      ...zmqSocketOptions(this.#options, 'both', 'server'),
      mandatory: true,
      // A restarted worker reconnects under the same name while its old connection may not be
      // gone yet: the new connection wins instead of being refused.
      handover: true,
      // Never wait inside zmq: a full worker returns EAGAIN and we wait for that worker alone.
      sendTimeout: 0,
      // Frames not yet handed to TCP are still in the ingester's buffer; they are resent.
      linger: 0,
    })
    this.#socket = socket
    this.addCloseStep('close socket', () => socket.close())
    this.#endpoint = await bindEndpoint(socket, this.#options.bind ?? DEFAULT_BIND_ADDRESS)
    this.spawn('receive', (signal) =>
      receiveLoop(socket, (parts) => this.#onMessage(parts), signal),
    )
  }

  /**
   * Send one message (for example an encoded event batch) to `worker`. Parts are not copied;
   * do not modify them afterwards. Messages to one worker leave in call order.
   *
   * Resolves once zmq has queued the message. Waits while the worker's queue is full.
   * @throws PeerUnreachableError when the worker is not connected (the message was not sent).
   * @throws StateError `STATE_INVALID` when the router is not running or closes while waiting.
   * Rejects with `signal.reason` when `signal` aborts while waiting.
   */
  sendTo(worker: WorkerName, parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
    const message = [worker, ...parts]
    const prior = this.#tails.get(worker)
    const run =
      prior === undefined
        ? this.#send(worker, message, signal)
        : prior.then(() => this.#send(worker, message, signal))
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(worker, tail)
    void tail.then(() => {
      if (this.#tails.get(worker) === tail) this.#tails.delete(worker)
    })
    return run
  }

  async #send(
    worker: WorkerName,
    message: (string | Uint8Array)[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const socket = this.#socket
    if (this.state !== 'running' || socket === undefined) {
      throw new StateError(`${this.name} is ${this.state}; cannot send to '${worker}'`)
    }
    let pauseMs = 1
    let wait: AbortSignal | undefined
    for (;;) {
      try {
        await socket.send(message)
        return
      } catch (err) {
        const code = zmqErrorCode(err)
        if (code === 'EHOSTUNREACH') {
          this.#workers.delete(worker)
          throw new PeerUnreachableError(worker, { cause: err })
        }
        if (socket.closed) throw new StateError(`${this.name} closed while sending`, { cause: err })
        if (code !== 'EAGAIN') throw err
      }
      // The worker's queue is at its high-water mark (rare: only when it falls behind).
      if (wait === undefined) {
        this.#stallCount++
        wait = signal ? AbortSignal.any([signal, this.signal]) : this.signal
      }
      try {
        await sleep(pauseMs, wait)
      } catch (err) {
        if (!isAbortError(err, wait)) throw err
        if (signal?.aborted) throw signal.reason
        throw new StateError(`${this.name} closed while waiting to send to '${worker}'`)
      }
      pauseMs = Math.min(pauseMs * 2, this.#options.retryMaxMs ?? 10)
    }
  }

  #onMessage(parts: Buffer[]): void {
    let message: ReturnType<typeof decodeWorkerToIngester>
    try {
      message = decodeWorkerToIngester(parts)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      this.#invalidCount++
      this.#options.onInvalid?.(err)
      return
    }
    if (message.kind === 'hello') {
      this.#workers.add(message.worker)
      this.#options.onHello?.(message)
    } else {
      this.#workers.delete(message.worker)
      this.#options.onBye?.(message)
    }
  }
}

/** Create (not start) the ingester's ROUTER; `start()` binds it. */
export function createIngesterRouter(options: IngesterRouterOptions = {}): IngesterRouter {
  return new IngesterRouter(options)
}
