import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { FrameSlabsStats } from '../src/internal.js'

/** The counters a worker's metrics read from its current scan (see `ScanSession.stats`). */
export interface WorkerCounts {
  /** Events given to the analysis (successful or not). */
  readonly processed: number
  readonly results: number
  readonly failed: number
  /** Re-sent events reported done again without processing. */
  readonly duplicates: number
  readonly batchesSent: number
  /** Failed events by the stream they failed on (a malformed frame of that stream). */
  readonly failedByStream?: Readonly<Record<string, number>>
}

/** What the metrics read from the worker when scraped. */
export interface WorkerMetricsSource {
  /** Counters of the scan in hand; `undefined` between scans. */
  current(): WorkerCounts | undefined
  /** Events waiting: ready to process, and still waiting for frames. */
  queueDepth(): { readonly ready: number; readonly assembling: number }
  /** Event batches dropped because they belonged to no current scan. */
  droppedBatches(): number
  /** What the memory frames are read into did (the own ZMTP receive). */
  frameMemory?(): FrameSlabsStats
}

const ZERO: WorkerCounts = { processed: 0, results: 0, failed: 0, duplicates: 0, batchesSent: 0 }

/**
 * A worker's Prometheus metrics, on a registry of its own (several workers share one process
 * in `beamloom up` and in tests). Counters are read from the scan counters when scraped, so
 * they cost nothing per event; the only per-event cost is the `processEvent` duration
 * histogram (one `observe`, no labels).
 */
export class WorkerMetrics {
  readonly registry = new Registry()
  /** Duration of each `processEvent` call, in seconds. */
  readonly processEventSeconds: Histogram
  #ended: WorkerCounts = ZERO
  readonly #endedByStream = new Map<string, number>()

  constructor(source: WorkerMetricsSource) {
    const registers = [this.registry]
    const total = (key: Exclude<keyof WorkerCounts, 'failedByStream'>): number =>
      this.#ended[key] + (source.current()?.[key] ?? 0)
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset()
          this.inc(read())
        },
      })
    }
    counter(
      'beamloom_worker_events_in_total',
      'Events received complete and processed (or re-sent duplicates)',
      () => total('processed') + total('duplicates'),
    )
    counter('beamloom_worker_events_processed_total', 'Events given to processEvent', () =>
      total('processed'),
    )
    counter('beamloom_worker_results_out_total', 'Results sent to the reducer', () =>
      total('results'),
    )
    counter('beamloom_worker_events_failed_total', 'Events whose processEvent threw', () =>
      total('failed'),
    )
    counter(
      'beamloom_worker_duplicates_total',
      'Re-sent events reported done without processing',
      () => total('duplicates'),
    )
    counter('beamloom_worker_result_batches_total', 'Result batches sent to the reducer', () =>
      total('batchesSent'),
    )
    counter(
      'beamloom_worker_dropped_batches_total',
      'Event batches that belonged to no current scan',
      () => source.droppedBatches(),
    )
    counter(
      'beamloom_worker_frame_slabs_allocated_total',
      'Slabs of frame memory allocated (few after the first events when frames are reused)',
      () => source.frameMemory?.().slabsAllocated ?? 0,
    )
    counter(
      'beamloom_worker_frame_slabs_reused_total',
      'Times a slab of frame memory was filled again',
      () => source.frameMemory?.().slabsReused ?? 0,
    )
    counter(
      'beamloom_worker_frames_recycled_total',
      'Frames whose memory was handed back once their event was over',
      () => source.frameMemory?.().partsRecycled ?? 0,
    )
    new Gauge({
      name: 'beamloom_worker_frame_slabs_free',
      help: 'Emptied slabs of frame memory kept for reuse',
      registers,
      collect() {
        this.set(source.frameMemory?.().freeSlabs ?? 0)
      },
    })
    const endedByStream = this.#endedByStream
    new Counter({
      name: 'beamloom_worker_stream_events_failed_total',
      help: 'Failed events by the stream whose frames did not parse (parseStream with a name)',
      labelNames: ['stream'],
      registers,
      collect() {
        this.reset()
        const byStream = new Map(endedByStream)
        for (const [stream, n] of Object.entries(source.current()?.failedByStream ?? {})) {
          byStream.set(stream, (byStream.get(stream) ?? 0) + n)
        }
        for (const [stream, n] of byStream) this.inc({ stream }, n)
      },
    })
    new Gauge({
      name: 'beamloom_worker_queue_depth',
      help: 'Events waiting in the worker: ready (all frames in) or assembling (frames missing)',
      labelNames: ['queue'],
      registers,
      collect() {
        const depth = source.queueDepth()
        this.set({ queue: 'ready' }, depth.ready)
        this.set({ queue: 'assembling' }, depth.assembling)
      },
    })
    this.processEventSeconds = new Histogram({
      name: 'beamloom_worker_process_event_seconds',
      help: 'Duration of processEvent calls',
      buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
      registers,
    })
  }

  /** A scan ended: keep its counts in the totals (call once per scan, with its last counts). */
  scanEnded(counts: WorkerCounts): void {
    for (const [stream, n] of Object.entries(counts.failedByStream ?? {})) {
      this.#endedByStream.set(stream, (this.#endedByStream.get(stream) ?? 0) + n)
    }
    const e = this.#ended
    this.#ended = {
      processed: e.processed + counts.processed,
      results: e.results + counts.results,
      failed: e.failed + counts.failed,
      duplicates: e.duplicates + counts.duplicates,
      batchesSent: e.batchesSent + counts.batchesSent,
    }
  }
}
