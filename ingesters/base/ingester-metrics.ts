import { Counter, Gauge, Registry } from 'prom-client'
import type { FrameSlabsStats } from '../../src/internal.js'
import type { ScanSessionStats } from './scan-session.js'
import { type StreamCounters, zeroCounters } from './stream-counters.js'

type CounterKey = keyof StreamCounters
const STREAM_COUNTERS: readonly [CounterKey, string, string][] = [
  ['read', 'beamloom_ingester_frames_read_total', 'Upstream messages read, by stream'],
  [
    'forwarded',
    'beamloom_ingester_frames_forwarded_total',
    'Frame deliveries to workers (one per worker), by stream',
  ],
  ['resent', 'beamloom_ingester_frames_resent_total', 'Deliveries repeated after a re-route'],
  ['dropped', 'beamloom_ingester_frames_dropped_total', 'Messages read and discarded ([] routes)'],
  ['errors', 'beamloom_ingester_errors_total', 'Upstream errors (device lost), by stream'],
  [
    'invalid',
    'beamloom_ingester_invalid_messages_total',
    'Malformed upstream messages dropped (never given an event), by stream',
  ],
  [
    'duplicates',
    'beamloom_ingester_duplicate_frames_total',
    'Frames dropped because their frame number was already served, by stream',
  ],
  [
    'missing',
    'beamloom_ingester_missing_frames_total',
    'Events whose frame never came from the device (sent a missing-frame marker), by stream',
  ],
  [
    'surplus',
    'beamloom_ingester_surplus_frames_total',
    'Frames dropped because the scan has no event for them, by stream',
  ],
]

/**
 * An ingester's Prometheus metrics, on a registry of its own. Everything is read from the scan
 * counters when scraped (nothing per frame): counters per stream summed over the scans this
 * process served, and gauges of the scan in hand (events released and not yet read upstream,
 * events kept until complete, bytes kept).
 */
export class IngesterMetrics {
  readonly registry = new Registry()
  readonly #ended = new Map<string, StreamCounters>()
  #endedBatches = 0
  #endedPauses = 0

  /**
   * `current` returns the counters of the scan in hand, `undefined` between scans;
   * `frameMemory` what the memory for device frames did (`undefined`: devices read with
   * zeromq.js, the frame-memory metrics stay 0).
   */
  constructor(
    current: () => ScanSessionStats | undefined,
    frameMemory: () => FrameSlabsStats | undefined = () => undefined,
  ) {
    const registers = [this.registry]
    for (const [key, name, help] of STREAM_COUNTERS) {
      const ended = this.#ended
      new Counter({
        name,
        help,
        labelNames: ['stream'],
        registers,
        collect() {
          this.reset()
          const now = current()?.streams ?? {}
          for (const stream of new Set([...ended.keys(), ...Object.keys(now)])) {
            const total = (ended.get(stream)?.[key] ?? 0) + (now[stream]?.[key] ?? 0)
            this.inc({ stream }, total)
          }
        },
      })
    }
    const scalar = (name: string, help: string, read: () => number): void => {
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
    scalar(
      'beamloom_ingester_batches_sent_total',
      'Event batches sent to workers',
      () => this.#endedBatches + (current()?.batchesSent ?? 0),
    )
    scalar(
      'beamloom_ingester_pauses_total',
      'Times reading upstream paused because the buffer was full',
      () => this.#endedPauses + (current()?.pauses ?? 0),
    )
    const gauge = (name: string, help: string, read: (s: ScanSessionStats) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const stats = current()
          this.set(stats === undefined ? 0 : read(stats))
        },
      })
    }
    gauge(
      'beamloom_ingester_queue_depth',
      'Events released to workers and not yet read from upstream',
      (s) => Math.max(0, s.releasedTo - s.nextEvent),
    )
    gauge(
      'beamloom_ingester_kept_events',
      'Events forwarded and kept until the reducer completed them',
      (s) => s.keptEvents,
    )
    gauge('beamloom_ingester_buffer_bytes', 'Bytes of forwarded frames kept', (s) => s.bufferBytes)
    scalar(
      'beamloom_ingester_frame_slabs_allocated_total',
      'Slabs of device-frame memory allocated (few after the first scans when frames are reused)',
      () => frameMemory()?.slabsAllocated ?? 0,
    )
    scalar(
      'beamloom_ingester_frame_slabs_reused_total',
      'Times a slab of device-frame memory was filled again',
      () => frameMemory()?.slabsReused ?? 0,
    )
    scalar(
      'beamloom_ingester_frame_parts_oversize_total',
      'Device message parts larger than a slab, given memory of their own',
      () => frameMemory()?.oversizeParts ?? 0,
    )
    new Gauge({
      name: 'beamloom_ingester_frame_slabs_free',
      help: 'Emptied slabs of device-frame memory kept for reuse',
      registers,
      collect() {
        this.set(frameMemory()?.freeSlabs ?? 0)
      },
    })
  }

  /** A scan ended: add its last counters to the totals (once per scan). */
  scanEnded(stats: ScanSessionStats): void {
    for (const [stream, c] of Object.entries(stats.streams)) {
      const sum = this.#ended.get(stream) ?? zeroCounters()
      for (const [key] of STREAM_COUNTERS) sum[key] += c[key]
      this.#ended.set(stream, sum)
    }
    this.#endedBatches += stats.batchesSent
    this.#endedPauses += stats.pauses
  }
}
