import { createClassifiedUpstreamFactory } from './classified-upstream.js'
import { classifyJsonMessage, type JsonProtocol } from './classify-json.js'
import type { UpstreamFactory } from './upstream.js'
import type { ZmqUpstreamOptions } from './zmq-upstream.js'

/** Options of a device that PUSHes one series per scan, each message starting with an `htype`. */
export interface PullUpstreamOptions extends ZmqUpstreamOptions {
  /** The device's PUSH endpoint, e.g. `tcp://127.0.0.1:9999`. */
  readonly url: string
}

/** How one protocol marks its series (its JSON header fields and part counts), and its `typ`. */
export interface SeriesProtocol extends JsonProtocol {
  /** The `typ` frames travel with (`STINS`, `EIGER_LEGACY`). */
  readonly typ: string
}

/**
 * The device type for `createIngester` of a protocol that PUSHes a series whose messages start
 * with a JSON header (STINS, Eiger Stream V1): each scan opens a zmq PULL connected to the
 * device, skips what precedes the series' header, hands out the header, every data message with
 * its frame number and the end, one zmq message per event, and then nothing. Each message is
 * classified by its JSON header alone (`classifyJsonMessage`): one that is not a header, a
 * data message with a frame number or an end, with the protocol's part count, is reported as
 * invalid and dropped. The parts go to the workers as received.
 */
export function createSeriesUpstreamFactory(
  protocol: SeriesProtocol,
  options: PullUpstreamOptions,
): UpstreamFactory {
  return createClassifiedUpstreamFactory(
    {
      typ: protocol.typ,
      kind: {
        socket: 'pull',
        label: protocol.label,
        connected: `pulling from the device (${protocol.label})`,
        ended: `the ${protocol.label} series ended (${protocol.end} was read)`,
      },
      classify: (parts) => classifyJsonMessage(protocol, parts),
    },
    options,
  )
}
