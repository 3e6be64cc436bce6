import {
  EventBatchBuilder,
  eventNumber,
  type ScanId,
  streamName,
  type WorkerName,
} from '../../src/internal.js'
import type { Delivery, PlanStream } from './forward-plan.js'

/** Where batches go: the ingester's ROUTER (or a fake in tests). */
export interface BatchTarget {
  sendTo(worker: WorkerName, parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void>
}

/** What a batch carried, to mark it undelivered when the send fails. */
export interface DeliveryRef {
  readonly event: number
  readonly stream: number
}

/** Options of {@link BatchSender}. */
export interface BatchSenderOptions {
  readonly scan: ScanId
  readonly streams: readonly PlanStream[]
  readonly target: BatchTarget
  /** A worker's batch is sent once it holds this many events. */
  readonly maxEvents: number
  /** … or this many frame bytes. */
  readonly maxBytes: number
  /** Aborts the sends still waiting (the scan ended). */
  readonly signal: AbortSignal
  /** A batch could not be sent (its worker is gone, or the router closed). */
  readonly onFailed: (worker: WorkerName, refs: readonly DeliveryRef[], err: unknown) => void
}

interface Pending {
  builder: EventBatchBuilder
  refs: DeliveryRef[]
}

/**
 * Groups deliveries into one {@link EventBatchBuilder} per worker and sends each batch when it
 * is full or on {@link flush}. Frames are referenced, never copied. Sends are not awaited one
 * by one (a slow worker must not stall the others); they are tracked, and {@link settled}
 * waits for them. Memory stays bounded because every frame in flight is also in the plan's
 * byte-bounded buffer.
 */
export class BatchSender {
  readonly #options: BatchSenderOptions
  readonly #pending = new Map<WorkerName, Pending>()
  readonly #inFlight = new Set<Promise<void>>()
  #batches = 0

  constructor(options: BatchSenderOptions) {
    this.#options = options
  }

  /** Batches handed to the target so far. */
  get batchesSent(): number {
    return this.#batches
  }

  /** Sends not settled yet. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Add deliveries (in order); a worker's batch leaves as soon as it is full. */
  add(deliveries: readonly Delivery[]): void {
    const { streams, maxEvents, maxBytes } = this.#options
    for (const d of deliveries) {
      let pending = this.#pending.get(d.worker)
      if (pending === undefined) {
        pending = { builder: new EventBatchBuilder(this.#options.scan), refs: [] }
        this.#pending.set(d.worker, pending)
      }
      const stream = streams[d.stream]!
      pending.builder.add(eventNumber(d.event), d.slot, streamName(stream.name), d.typ, d.frames)
      pending.refs.push({ event: d.event, stream: d.stream })
      if (pending.builder.eventCount >= maxEvents || pending.builder.frameBytes >= maxBytes) {
        this.#send(d.worker, pending)
      }
    }
  }

  /** Send every batch that holds something. */
  flush(): void {
    for (const [worker, pending] of this.#pending) {
      if (pending.refs.length > 0) this.#send(worker, pending)
    }
  }

  /** Resolves once every send started so far has settled. Never rejects. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  #send(worker: WorkerName, pending: Pending): void {
    const refs = pending.refs
    pending.refs = []
    const parts = pending.builder.finish()
    this.#batches++
    const sent = this.#options.target.sendTo(worker, parts, this.#options.signal).then(
      () => undefined,
      (err: unknown) => this.#options.onFailed(worker, refs, err),
    )
    this.#inFlight.add(sent)
    void sent.finally(() => this.#inFlight.delete(sent))
  }
}
