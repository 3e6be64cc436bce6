import type { FrameSlabs, Logger, ScanId, StreamName } from '../../src/internal.js'

/**
 * One device message, classified by the protocol's own fields (never by decoding its payload):
 * the series' `start` (header), a `data` frame, or the series' `end`. The ingester forwards
 * `parts` untouched; `frame` places a data frame on its event.
 */
export interface UpstreamMessage {
  readonly kind: 'start' | 'data' | 'end'
  /**
   * For `data`: the frame's position among the series' data frames, 0 for the first, read
   * from the protocol's frame number (STINS `frame`, Eiger V2 `image_id`, …). `undefined` when
   * the protocol numbers nothing: the frame then takes the next position in arrival order.
   */
  readonly frame?: number | undefined
  readonly parts: readonly Uint8Array[]
}

/**
 * A device connection, opened for one scan. It hands out the device's messages, one per call,
 * per stream, each classified as start, data or end ({@link UpstreamMessage}). A message that
 * is none of them by the protocol (wrong part count, bad JSON, unknown type, a frame number
 * that is not one…) is reported through `onInvalid` and never handed out. The ingester matches
 * the data frames to the events that route the stream by their frame number and forwards the
 * parts untouched.
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
   * The next valid message of `stream`, waiting for the device as long as it takes.
   * Rejects with `UpstreamClosedError` (`UPSTREAM_CLOSED`) when the device ended its series or
   * was lost (no more messages will come), and with `signal.reason` when `signal` aborts.
   * One call at a time per stream.
   */
  next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage>
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
  readonly logger: Logger
  /**
   * A message that was dropped as invalid: counted per stream, logged at WARNING (rate-limited)
   * and in the shared log stream. It never takes an event's place.
   */
  readonly onInvalid: (stream: StreamName, reason: string) => void
  /**
   * The ingester's memory for received frames. A zmq device upstream given one receives with
   * the own ZMTP (`ZmtpDeviceReceiver`) into it, for a `tcp://host:port` device; the ingester
   * hands each forwarded frame back once the controller's completed frontier passed it (see
   * `ForwardPlan`). Without one (or for another transport) it receives with zeromq.js.
   */
  readonly frameSlabs?: FrameSlabs | undefined
}

/** Opens upstreams for one device type. */
export interface UpstreamFactory {
  /** The `typ` the frames of `stream` travel with (`STINS`, …), so workers pick the parser. */
  typOf(stream: StreamName): string
  /** Create (not start) the upstream of one scan. */
  create(context: UpstreamContext): Upstream
}
