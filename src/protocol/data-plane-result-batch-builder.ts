import { DATA_PLANE_VERSION, type Slot } from './data-plane.js'
import { encodeResultBatch, RESULT_OUTCOME } from './data-plane-result-batch.js'
import type { EventNumber, ScanId, WorkerName } from './ids.js'

/**
 * Collects a worker's finished events (results and done/failed markers) into one
 * worker → reducer message. Payloads are CBOR the worker already encoded (`encodePayload`);
 * they are referenced, not copied.
 */
export class ResultBatchBuilder {
  readonly scan: ScanId
  readonly worker: WorkerName
  readonly session: string
  #hashes: string[] = []
  readonly #hashIndex = new Map<string, number>()
  #items: number[] = []
  #payloads: Uint8Array[] = []
  #payloadBytes = 0
  #failedStreams: [number, string][] = []

  /** `session`: the worker's session id in this scan (see `ResultBatchHeader`). */
  constructor(scan: ScanId, worker: WorkerName, session: string) {
    this.scan = scan
    this.worker = worker
    this.session = session
  }

  /** Finished events in the batch so far. */
  get itemCount(): number {
    return this.#items.length / 4
  }

  /** Bytes of all payloads so far. */
  get payloadBytes(): number {
    return this.#payloadBytes
  }

  /** Report an event with a result; `payload` is its CBOR encoding. */
  result(eventNumber: EventNumber, slot: Slot, parametersHash: string, payload: Uint8Array): this {
    this.#items.push(eventNumber, slot, this.#indexOf(parametersHash), RESULT_OUTCOME.result)
    this.#payloads.push(payload)
    this.#payloadBytes += payload.byteLength
    return this
  }

  /** Report an event that finished without a result. */
  done(eventNumber: EventNumber, slot: Slot, parametersHash: string): this {
    this.#items.push(eventNumber, slot, this.#indexOf(parametersHash), RESULT_OUTCOME.done)
    return this
  }

  /**
   * Report an event whose analysis failed (it is complete; there is nothing to reduce), with
   * the stream it failed on when known (counted per stream by the reducer and the controller).
   */
  failed(eventNumber: EventNumber, slot: Slot, parametersHash: string, stream?: string): this {
    if (stream !== undefined) this.#failedStreams.push([this.itemCount, stream])
    this.#items.push(eventNumber, slot, this.#indexOf(parametersHash), RESULT_OUTCOME.failed)
    return this
  }

  /**
   * Encode the batch as zmq parts, numbered `seq`, and start a new, empty one. `floor`: every
   * batch numbered below it was acknowledged durable (default `seq`: this is the first).
   */
  finish(seq: number, floor = seq): Uint8Array[] {
    const parts = encodeResultBatch(
      {
        v: DATA_PLANE_VERSION,
        kind: 'results',
        scan: this.scan,
        worker: this.worker,
        session: this.session,
        seq,
        floor,
        hashes: this.#hashes,
        items: this.#items,
        ...(this.#failedStreams.length === 0 ? {} : { failedStreams: this.#failedStreams }),
      },
      this.#payloads,
    )
    this.#failedStreams = []
    this.#hashes = []
    this.#hashIndex.clear()
    this.#items = []
    this.#payloads = []
    this.#payloadBytes = 0
    return parts
  }

  #indexOf(hash: string): number {
    let index = this.#hashIndex.get(hash)
    if (index === undefined) {
      index = this.#hashes.length
      this.#hashes.push(hash)
      this.#hashIndex.set(hash, index)
    }
    return index
  }
}
