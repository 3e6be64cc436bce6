import { EIGER_V2_TYP, type StreamName } from '../../src/index.js'
import type { UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'
import { sniffEigerV2Type } from './sniff-eiger-v2-type.js'

/** Options of {@link createEigerV2UpstreamFactory}. */
export interface EigerV2UpstreamOptions extends ZmqUpstreamOptions {
  /** The detector's PUSH endpoint, e.g. `tcp://dcu:31001`. */
  readonly url: string
}

const EIGER_V2: ZmqUpstreamKind = {
  socket: 'pull',
  label: 'Eiger V2',
  connected: 'pulling from the detector (Eiger Stream V2)',
  ended: 'the Eiger V2 series ended (end was read)',
}

/**
 * The Stream V2 upstream of one scan: a zmq PULL connected to the detector. It skips what
 * precedes the series' `start` (left-overs of an earlier series), hands out the start, every
 * `image` and the `end`, one zmq message per event, and then `UPSTREAM_CLOSED`. Only the
 * message's `type` is read (see `sniffEigerV2Type`); a message without a readable `type`, or
 * of another type, is counted as invalid and skipped.
 */
class EigerV2Upstream extends ZmqUpstream {
  constructor(options: EigerV2UpstreamOptions, context: UpstreamContext) {
    super(EIGER_V2, options, context)
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      const parts = await this.receive(signal)
      const type = sniffEigerV2Type(parts[0])
      if (type === undefined) {
        this.context.onInvalid(stream, 'Eiger V2 message without a readable type')
        continue
      }
      if (this.phase === 'waiting') {
        if (type === 'start') {
          this.phase = 'series'
          return parts
        }
        this.countStale()
        continue
      }
      if (type === 'image') return parts
      if (type === 'end') {
        this.phase = 'ended'
        return parts
      }
      this.context.onInvalid(stream, `unexpected Eiger V2 message type '${type}' within a series`)
    }
  }
}

/**
 * The DECTRIS Stream V2 device type for `createIngester`: frames travel with `typ` `EIGER_V2`,
 * and each scan opens a PULL to `options.url`.
 */
export function createEigerV2UpstreamFactory(options: EigerV2UpstreamOptions): UpstreamFactory {
  return {
    typOf: () => EIGER_V2_TYP,
    create: (context) => new EigerV2Upstream(options, context),
  }
}
