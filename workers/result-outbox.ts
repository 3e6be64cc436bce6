import { randomUUID } from 'node:crypto'
import type { EventNumber, ResultAck, ScanId, Slot, WorkerName } from '../src/internal.js'
import { ResultBatchBuilder } from '../src/internal.js'

/** Sends one encoded result batch (zmq parts) to the reducer. */
export type SendResults = (parts: Uint8Array[]) => Promise<unknown>

interface Kept {
  readonly seq: number
  readonly parts: Uint8Array[]
  readonly items: number
  readonly bytes: number
}

/**
 * A worker's finished events of one scan on their way to the reducer (DESIGN.md "Delivery and
 * failure"). Items collect into a batch; {@link flush} numbers the batch (`seq`) and sends it.
 * Every sent batch is kept until the reducer acknowledges it as durable, and {@link resend}
 * sends what is kept again, oldest first (after a reconnection, or to a new reducer), so a
 * batch lost on the wire or in a reducer that died is never lost for good. Acknowledgements of
 * `reduced` batches give the worker its credits back ({@link onAck}'s return).
 */
export class ResultOutbox {
  /** This worker's session in this scan: a fresh id, so batch numbers never collide. */
  readonly session = randomUUID()
  readonly #builder: ResultBatchBuilder
  readonly #kept: Kept[] = []
  #keptBytes = 0
  #nextSeq = 0
  #reduced = -1
  #durable = -1
  #sentItems = 0
  #sentBatches = 0
  #resent = 0

  constructor(scan: ScanId, worker: WorkerName) {
    this.#builder = new ResultBatchBuilder(scan, worker, this.session)
  }

  /** Items waiting to be sent. */
  get itemCount(): number {
    return this.#builder.itemCount
  }

  /** Items and batches sent so far (first sends), and batches sent again. */
  get sent(): { items: number; batches: number; resent: number } {
    return { items: this.#sentItems, batches: this.#sentBatches, resent: this.#resent }
  }

  /** Batches sent and not yet acknowledged durable, and their bytes. */
  get kept(): { batches: number; bytes: number } {
    return { batches: this.#kept.length, bytes: this.#keptBytes }
  }

  /** An event with a result; `payload` is its CBOR encoding. */
  result(event: EventNumber, slot: Slot, hash: string, payload: Uint8Array): void {
    this.#builder.result(event, slot, hash, payload)
  }

  /** An event finished without a result. */
  done(event: EventNumber, slot: Slot, hash: string): void {
    this.#builder.done(event, slot, hash)
  }

  /** An event whose analysis failed; `stream`: the one it failed on, when known. */
  failed(event: EventNumber, slot: Slot, hash: string, stream?: string): void {
    this.#builder.failed(event, slot, hash, stream)
  }

  /**
   * Number what is collected, keep it, and send it with `send` (nothing when empty). Resolves
   * once `send` has; a rejected send leaves the batch kept (it goes again with {@link resend}).
   */
  async flush(send: SendResults): Promise<void> {
    const items = this.#builder.itemCount
    if (items === 0) return
    const seq = this.#nextSeq++
    const parts = this.#builder.finish(seq, this.#durable + 1)
    let bytes = 0
    for (const p of parts) bytes += p.byteLength
    this.#kept.push({ seq, parts, items, bytes })
    this.#keptBytes += bytes
    this.#sentItems += items
    this.#sentBatches++
    await send(parts)
  }

  /** Send every kept batch again, oldest first (each with the same number). */
  async resend(send: SendResults): Promise<void> {
    for (const k of [...this.#kept]) {
      if (k.seq <= this.#durable) continue
      this.#resent++
      await send(k.parts)
    }
  }

  /**
   * Apply an acknowledgement of this session. Resolves how many items became `reduced` with it
   * (their credits return); durable batches are forgotten.
   */
  onAck(ack: ResultAck): number {
    if (ack.session !== this.session) return 0
    let freed = 0
    const reduced = Math.min(ack.reduced, this.#nextSeq - 1)
    if (reduced > this.#reduced) {
      for (const k of this.#kept) if (k.seq > this.#reduced && k.seq <= reduced) freed += k.items
      this.#reduced = reduced
    }
    const durable = Math.min(ack.durable, reduced)
    if (durable > this.#durable) {
      this.#durable = durable
      while (this.#kept.length > 0 && this.#kept[0]!.seq <= durable) {
        this.#keptBytes -= this.#kept.shift()!.bytes
      }
    }
    return freed
  }
}
