import type { EventNumber, ScanId, WorkerName } from '../src/index.js'
import type { Slot } from '../src/protocol/data-plane.js'
import { ResultBatchBuilder } from '../src/protocol/data-plane-result-batch-builder.js'

/** Sends one encoded result batch (zmq parts) to the reducer. */
export type SendResults = (parts: Uint8Array[]) => Promise<unknown>

/**
 * Collects a worker's finished events of one scan (result, done, failed) into result batches
 * and sends them when asked to flush. The owner decides when (at `flushItems`, or when idle).
 */
export class ResultSink {
  readonly #builder: ResultBatchBuilder
  #sentItems = 0
  #sentBatches = 0

  constructor(scan: ScanId, worker: WorkerName) {
    this.#builder = new ResultBatchBuilder(scan, worker)
  }

  /** Items waiting to be sent. */
  get itemCount(): number {
    return this.#builder.itemCount
  }

  /** Items and batches sent so far. */
  get sent(): { items: number; batches: number } {
    return { items: this.#sentItems, batches: this.#sentBatches }
  }

  /** An event with a result; `payload` is its CBOR encoding. */
  result(event: EventNumber, slot: Slot, hash: string, payload: Uint8Array): void {
    this.#builder.result(event, slot, hash, payload)
  }

  /** An event finished without a result. */
  done(event: EventNumber, slot: Slot, hash: string): void {
    this.#builder.done(event, slot, hash)
  }

  /** An event whose analysis failed. */
  failed(event: EventNumber, slot: Slot, hash: string): void {
    this.#builder.failed(event, slot, hash)
  }

  /**
   * Send what is collected with `send` (nothing when empty). Resolves once `send` has; rejects
   * with its error (the batch is then lost: those events are not complete, so they are handed
   * out again).
   */
  async flush(send: SendResults): Promise<void> {
    const count = this.#builder.itemCount
    if (count === 0) return
    const parts = this.#builder.finish()
    await send(parts)
    this.#sentItems += count
    this.#sentBatches++
  }
}
