import type { ScanId, StreamName } from '../../src/index.js'
import type { IngesterLogger } from './ingester-logger.js'

/**
 * A device connection, opened for one scan. It hands out the device's messages as raw zmq
 * parts, one message per call, per stream: the ingester asks for exactly one message of a
 * stream per event that routes that stream, and forwards the parts untouched.
 *
 * Devices with one socket and several streams demultiplex in their upstream (see
 * `createDemuxUpstream`); devices with one socket per stream open several inside one upstream.
 */
export interface Upstream {
  /** Connect (or bind). Rejects with `CONFIG_INVALID` for a bad address. */
  start(): Promise<void>
  /** Disconnect; idempotent, never rejects. Messages not read yet are dropped. */
  close(): Promise<void>
  /**
   * The parts of the next message of `stream`, waiting for the device as long as it takes.
   * Rejects with `UpstreamClosedError` (`UPSTREAM_CLOSED`) when the device ended its series or
   * was lost (no more messages will come), and with `signal.reason` when `signal` aborts.
   * One call at a time per stream.
   */
  next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]>
  /**
   * Optional: whether `next(stream)` would resolve without waiting. The ingester sends its
   * half-filled batches before it waits for the device; without `ready` it sends them before
   * every read (correct, but smaller batches).
   */
  ready?(stream: StreamName): boolean
}

/** What an upstream is opened for. */
export interface UpstreamContext {
  readonly scanId: ScanId
  /** The streams of this ingester that the scan uses (a subset of its configured streams). */
  readonly streams: readonly StreamName[]
  readonly logger: IngesterLogger
  /** A message that was skipped as invalid (counted per stream, logged at a bounded rate). */
  readonly onInvalid: (stream: StreamName, reason: string) => void
}

/** Opens upstreams for one device type. */
export interface UpstreamFactory {
  /** The `typ` the frames of `stream` travel with (`STINS`, …), so workers pick the parser. */
  typOf(stream: StreamName): string
  /** Create (not start) the upstream of one scan. */
  create(context: UpstreamContext): Upstream
}
