import { EIGER_V2_TYP } from '../../src/internal.js'
import { createClassifiedUpstreamFactory } from '../base/classified-upstream.js'
import type { UpstreamFactory } from '../base/upstream.js'
import type { ZmqUpstreamOptions } from '../base/zmq-upstream.js'
import { classifyEigerV2 } from './classify-eiger-v2.js'

/** Options of {@link createEigerV2UpstreamFactory}. */
export interface EigerV2UpstreamOptions extends ZmqUpstreamOptions {
  /** The detector's PUSH endpoint, e.g. `tcp://dcu:31001`. */
  readonly url: string
}

/**
 * The DECTRIS Stream V2 device type for `createIngester`: frames travel with `typ` `EIGER_V2`,
 * and each scan opens a PULL to `options.url`. It skips what precedes the series' `start`
 * (left-overs of an earlier series), hands out the start, every `image` with its `image_id` and
 * the `end`, one zmq message per event, and then `UPSTREAM_CLOSED`. Only the message's `type`
 * and `image_id` are read (see `classifyEigerV2`); a message that is not one part with a
 * readable `type` (and `image_id`), or of another type, is reported as invalid and dropped.
 */
export function createEigerV2UpstreamFactory(options: EigerV2UpstreamOptions): UpstreamFactory {
  return createClassifiedUpstreamFactory(
    {
      typ: EIGER_V2_TYP,
      kind: {
        socket: 'pull',
        label: 'Eiger V2',
        connected: 'pulling from the detector (Eiger Stream V2)',
        ended: 'the Eiger V2 series ended (end was read)',
      },
      classify: classifyEigerV2,
    },
    options,
  )
}
