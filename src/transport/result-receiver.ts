import { Router } from 'zeromq'
import { ProtocolError, StateError } from '../errors.js'
import { encodeResultAck, type ResultAck } from '../protocol/data-plane-result-ack.js'
import { decodeResultBatch, type ResultBatch } from '../protocol/data-plane-result-batch.js'
import { ServiceBase } from '../service/service-base.js'
import { bindEndpoint, DEFAULT_BIND_ADDRESS } from './bind-endpoint.js'
import { receiveRuns } from './receive-loop.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'
import { acquireZapHandler } from './zap-handler.js'

/** Options of {@link createResultReceiver}. */
export interface ResultReceiverOptions extends DataSocketOptions {
  /** Address to bind; default `tcp://127.0.0.1:*`. Read the real one from `endpoint`. */
  readonly bind?: string
  /**
   * Handles one batch of results from the peer `from` (its routing id, for {@link
   * ResultReceiver.ack}). The next batch is not read until the returned promise settles
   * (back-pressure reaches the workers). Throwing closes the receiver with that error. `signal`
   * aborts when the receiver closes.
   */
  readonly onBatch?: (
    batch: ResultBatch,
    from: Uint8Array,
    signal: AbortSignal,
  ) => void | Promise<void>
  /**
   * Instead of `onBatch`: handles the valid batches of one run of messages that were queued
   * together (in arrival order, at most `maxRun`), so per-call costs are paid once per run.
   * Same back-pressure and errors as `onBatch`.
   */
  readonly onBatches?: (batches: ReceivedBatch[], signal: AbortSignal) => void | Promise<void>
  /** Most messages in one call of `onBatches`; default 64. */
  readonly maxRun?: number
  /** A message that does not follow the protocol; it was dropped. */
  readonly onInvalid?: (err: ProtocolError) => void
}

/** A batch of results and the routing id of the connection it came on. */
export interface ReceivedBatch {
  readonly batch: ResultBatch
  readonly from: Uint8Array
}

/**
 * The reducer's end of the worker ⇄ reducer link: a zmq ROUTER, bound, fair-queued over the
 * workers' DEALERs, which answers each peer with acknowledgements.
 */
export class ResultReceiver extends ServiceBase {
  readonly #options: ResultReceiverOptions
  #socket: Router | undefined
  #endpoint: string | undefined
  #invalidCount = 0
  #acksLost = 0

  constructor(options: ResultReceiverOptions) {
    super('result receiver')
    this.#options = options
  }

  /** The bound endpoint (`tcp://127.0.0.1:40124`). @throws StateError before start. */
  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  /** Messages dropped as invalid. */
  get invalidCount(): number {
    return this.#invalidCount
  }

  /** Acknowledgements that could not be sent (peer gone or full; later ones cover them). */
  get acksLost(): number {
    return this.#acksLost
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
      // A reconnecting worker takes its routing id over from a connection not yet seen gone.
      handover: true,
      // Acknowledgements never wait: an unreachable or full peer loses this one, and the next
      // one (they are cumulative) covers it.
      mandatory: true,
      sendTimeout: 0,
      linger: 0,
    })
    this.#socket = socket
    this.addCloseStep('close socket', () => socket.close())
    this.#endpoint = await bindEndpoint(socket, this.#options.bind ?? DEFAULT_BIND_ADDRESS)
    const maxRun = this.#options.onBatches === undefined ? 1 : (this.#options.maxRun ?? 64)
    this.spawn('receive', (signal) =>
      receiveRuns(socket, (messages) => this.#onMessages(messages, signal), signal, maxRun),
    )
  }

  /** Send `ack` to the peer `to` (a routing id from `onBatch`); best effort, never throws. */
  ack(to: Uint8Array, ack: ResultAck): void {
    const socket = this.#socket
    if (socket === undefined || socket.closed || this.state !== 'running') return
    socket.send([to, encodeResultAck(ack)]).catch(() => {
      this.#acksLost++
    })
  }

  #onMessages(messages: Buffer[][], signal: AbortSignal): void | Promise<void> {
    const { onBatch, onBatches } = this.#options
    if (onBatches === undefined) {
      const one = this.#decode(messages[0]!)
      return one === undefined ? undefined : onBatch?.(one.batch, one.from, signal)
    }
    const batches: ReceivedBatch[] = []
    for (const parts of messages) {
      const one = this.#decode(parts)
      if (one !== undefined) batches.push(one)
    }
    return batches.length === 0 ? undefined : onBatches(batches, signal)
  }

  /** The batch of one message; undefined (counted, reported) when it is invalid. */
  #decode(parts: Buffer[]): ReceivedBatch | undefined {
    const from = parts[0]
    try {
      if (from === undefined) throw new ProtocolError('result batch: no routing id')
      return { batch: decodeResultBatch(parts.slice(1)), from }
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      this.#invalidCount++
      this.#options.onInvalid?.(err)
      return undefined
    }
  }
}

/** Create (not start) the reducer's ROUTER; `start()` binds it. */
export function createResultReceiver(options: ResultReceiverOptions): ResultReceiver {
  return new ResultReceiver(options)
}
