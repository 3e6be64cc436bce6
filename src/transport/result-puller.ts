import { Pull } from 'zeromq'
import { ProtocolError, StateError } from '../errors.js'
import { decodeResultBatch, type ResultBatch } from '../protocol/data-plane-result-batch.js'
import { ServiceBase } from '../service/service-base.js'
import { bindEndpoint, DEFAULT_BIND_ADDRESS } from './bind-endpoint.js'
import { receiveLoop } from './receive-loop.js'
import { type DataSocketOptions, zmqSocketOptions } from './socket-options.js'

/** Options of {@link createResultPuller}. */
export interface ResultPullerOptions extends DataSocketOptions {
  /** Address to bind; default `tcp://127.0.0.1:*`. Read the real one from `endpoint`. */
  readonly bind?: string
  /**
   * Handles one batch of results. The next batch is not read until the returned promise
   * settles (back-pressure reaches the workers). Throwing closes the puller with that error.
   * `signal` aborts when the puller closes.
   */
  readonly onBatch: (batch: ResultBatch, signal: AbortSignal) => void | Promise<void>
  /** A message that does not follow the protocol; it was dropped. */
  readonly onInvalid?: (err: ProtocolError) => void
}

/** The reducer's end of the worker → reducer link: a zmq PULL, bound, fair-queued over workers. */
export class ResultPuller extends ServiceBase {
  readonly #options: ResultPullerOptions
  #endpoint: string | undefined
  #invalidCount = 0

  constructor(options: ResultPullerOptions) {
    super('result puller')
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

  protected override async onStart(): Promise<void> {
    // Nothing to flush on a receiving socket: linger 0.
    const socket = new Pull({ ...zmqSocketOptions(this.#options, 'receive'), linger: 0 })
    this.addCloseStep('close socket', () => socket.close())
    this.#endpoint = await bindEndpoint(socket, this.#options.bind ?? DEFAULT_BIND_ADDRESS)
    this.spawn('receive', (signal) =>
      receiveLoop(socket, (parts) => this.#onMessage(parts, signal), signal),
    )
  }

  #onMessage(parts: Buffer[], signal: AbortSignal): void | Promise<void> {
    let batch: ResultBatch
    try {
      batch = decodeResultBatch(parts)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      this.#invalidCount++
      this.#options.onInvalid?.(err)
      return
    }
    return this.#options.onBatch(batch, signal)
  }
}

/** Create (not start) the reducer's PULL; `start()` binds it. */
export function createResultPuller(options: ResultPullerOptions): ResultPuller {
  return new ResultPuller(options)
}
