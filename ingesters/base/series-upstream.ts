import type { StreamName } from '../../src/index.js'
import { sniffHtype } from './sniff-htype.js'
import type { UpstreamContext, UpstreamFactory } from './upstream.js'
import { ZmqUpstream, type ZmqUpstreamOptions } from './zmq-upstream.js'

/** Options of a device that PUSHes one series per scan, each message starting with an `htype`. */
export interface PullUpstreamOptions extends ZmqUpstreamOptions {
  /** The device's PUSH endpoint, e.g. `tcp://127.0.0.1:9999`. */
  readonly url: string
}

/** How one protocol marks its series: the `htype` of its header, data and end messages. */
export interface SeriesProtocol {
  /** The `typ` frames travel with (`STINS`, `EIGER_LEGACY`). */
  readonly typ: string
  /** For messages: `STINS`, `Eiger V1`, … */
  readonly label: string
  readonly header: string
  readonly data: string
  readonly end: string
}

/**
 * The upstream of one scan for a device that PUSHes a series (STINS, Eiger Stream V1): a zmq
 * PULL connected to the device. It skips what precedes the series' header (left-overs of an
 * earlier series), hands out the header, every data message and the end, one zmq message per
 * event, and then nothing: asking for more rejects with `UPSTREAM_CLOSED`. Only the `htype`
 * of the first part is read; the parts go to the workers as received.
 */
class SeriesUpstream extends ZmqUpstream {
  readonly #protocol: SeriesProtocol

  constructor(protocol: SeriesProtocol, options: PullUpstreamOptions, context: UpstreamContext) {
    super(
      {
        socket: 'pull',
        label: protocol.label,
        connected: `pulling from the device (${protocol.label})`,
        ended: `the ${protocol.label} series ended (${protocol.end} was read)`,
      },
      options,
      context,
    )
    this.#protocol = protocol
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    const { label, header, data, end } = this.#protocol
    for (;;) {
      const parts = await this.receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.phase === 'waiting') {
        if (htype === header) {
          this.phase = 'series'
          return parts
        }
        if (htype === undefined) this.context.onInvalid(stream, `${label} message without htype`)
        else this.countStale()
        continue
      }
      if (htype === data) return parts
      if (htype === end) {
        this.phase = 'ended'
        return parts
      }
      this.context.onInvalid(
        stream,
        htype === undefined
          ? `${label} message without htype`
          : `unexpected ${label} htype '${htype}'`,
      )
    }
  }
}

/** The device type for `createIngester` of a protocol that PUSHes one series per scan. */
export function createSeriesUpstreamFactory(
  protocol: SeriesProtocol,
  options: PullUpstreamOptions,
): UpstreamFactory {
  return {
    typOf: () => protocol.typ,
    create: (context) => new SeriesUpstream(protocol, options, context),
  }
}
