import {
  ConfigError,
  PCAP_TYP,
  type PcapZmqMessage,
  type PcapZmqRows,
  ProtocolError,
  parsePcapZmqFrames,
  type StreamName,
} from '../../src/internal.js'
import type { UpstreamContext, UpstreamFactory, UpstreamMessage } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createPcapZmqUpstreamFactory}. */
export interface PcapZmqUpstreamOptions extends ZmqUpstreamOptions {
  /** The publisher's endpoint, e.g. `tcp://pcap-tango:5555`. */
  readonly url: string
  /**
   * `rows` (default, as Dranspose): one event per row; a data message of n rows becomes n
   * one-row messages (scalar columns, `frame_number` of that row). `batches`: one event per
   * data message, forwarded untouched.
   */
  readonly events?: 'rows' | 'batches'
}

/**
 * Read `tcp://host:port[?events=rows|batches&lostAfterMs=2000]`.
 * @throws ConfigError for an unknown parameter or a bad value.
 */
export function parsePcapZmqUrl(url: string): PcapZmqUpstreamOptions {
  const query = url.indexOf('?')
  if (query < 0) return { url }
  const params = new URLSearchParams(url.slice(query + 1))
  let events: 'rows' | 'batches' = 'rows'
  let lostAfterMs = 2000
  for (const [key, value] of params) {
    if (key === 'events' && (value === 'rows' || value === 'batches')) events = value
    else if (key === 'lostAfterMs' && /^\d+$/.test(value)) lostAfterMs = Number(value)
    else {
      throw new ConfigError(
        `PandABox zmq address '${url}': bad parameter ${key}=${value} (events=rows|batches, lostAfterMs=<ms>)`,
      )
    }
  }
  return { url: url.slice(0, query), events, lostAfterMs }
}

const PCAP_ZMQ: ZmqUpstreamKind = {
  socket: 'sub',
  label: 'PandABox zmq',
  connected: 'subscribed to the PandABox zmq publisher',
  ended: 'the PandABox series ended (series-end was read)',
  items: 'data',
}
const utf8 = new TextEncoder()

/** One-row JSON messages from a batch, keys in the batch's order (as Dranspose re-sends them). */
function splitRows(message: PcapZmqRows): Uint8Array[] {
  const entries = Object.entries(message.header)
  const columns = new Set(message.fields)
  return Array.from({ length: message.rows }, (_, i) => {
    const row: Record<string, unknown> = {}
    for (const [key, value] of entries) {
      if (columns.has(key) && Array.isArray(value)) row[key] = value[i]
      else if (key === 'frame_number') row[key] = message.frameNumber + i
      else row[key] = value
    }
    return utf8.encode(JSON.stringify(row))
  })
}

/**
 * The PandABox zmq upstream of one scan: a SUB (subscribed to everything) connected to the
 * publisher of JSON envelopes. It skips what precedes `series-start`, then hands out the
 * start, the data (one row per event, placed by its `frame_number`; or one message per event
 * with `events: 'batches'`, placed by its `message_id` after the start's) and `series-end`;
 * after that, asking for more rejects with `UPSTREAM_CLOSED`. A message that
 * is not one JSON part of the envelope (bad JSON, columns of different lengths, …) is skipped
 * and reported through `onInvalid`.
 */
class PcapZmqUpstream extends ZmqUpstream {
  readonly #events: 'rows' | 'batches' | undefined
  #rows: Uint8Array[] = []
  #rowAt = 0
  /** `frame_number` of the batch being split into rows. */
  #rowsFrom = 0
  /** `message_id` of the series start (batches are numbered by `message_id` after it). */
  #startId = 0

  constructor(options: PcapZmqUpstreamOptions, context: UpstreamContext) {
    super(PCAP_ZMQ, options, context)
    this.#events = options.events
  }

  protected override buffered(): boolean {
    return this.#rowAt < this.#rows.length
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    for (;;) {
      if (this.#rowAt < this.#rows.length) {
        const frame = this.#rowsFrom + this.#rowAt
        return { kind: 'data', frame, parts: [this.#rows[this.#rowAt++]!] }
      }
      const parts = await this.receive(signal)
      let message: PcapZmqMessage
      try {
        message = parsePcapZmqFrames(parts)
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        if (this.phase === 'waiting') this.countStale()
        else this.context.onInvalid(stream, err.message)
        continue
      }
      if (this.phase === 'waiting') {
        if (message.kind === 'start') {
          this.phase = 'series'
          this.#startId = message.messageId
          return { kind: 'start', parts }
        }
        this.countStale()
        continue
      }
      if (message.kind === 'start') {
        this.context.onInvalid(stream, 'PandABox zmq series-start in the middle of a series')
        continue
      }
      if (message.kind === 'end') {
        this.phase = 'ended'
        return { kind: 'end', parts }
      }
      if (this.#events === 'batches') {
        // One event per message (an empty one too): the k-th data message after the start is
        // frame k.
        return { kind: 'data', frame: message.messageId - this.#startId - 1, parts }
      }
      if (message.rows === 0) continue
      const batch = message.fields.some((f) => Array.isArray(message.header[f]))
      if (!batch) return { kind: 'data', frame: message.frameNumber, parts }
      this.#rows = splitRows(message)
      this.#rowsFrom = message.frameNumber
      this.#rowAt = 1
      return { kind: 'data', frame: message.frameNumber, parts: [this.#rows[0]!] }
    }
  }
}

/**
 * The PandABox zmq device type for `createIngester`: frames travel with `typ` `PCAP`, and each
 * scan opens a SUB to `options.url`.
 */
export function createPcapZmqUpstreamFactory(options: PcapZmqUpstreamOptions): UpstreamFactory {
  return {
    typOf: () => PCAP_TYP,
    create: (context) => new PcapZmqUpstream(options, context),
  }
}
