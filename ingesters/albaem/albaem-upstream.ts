import { ALBAEM_TYP } from '../../src/internal.js'
import { createClassifiedUpstreamFactory } from '../base/classified-upstream.js'
import { type Classified, classifyJsonMessage, type JsonProtocol } from '../base/classify-json.js'
import type { UpstreamFactory } from '../base/upstream.js'
import type { ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createAlbaemUpstreamFactory}. */
export interface AlbaemUpstreamOptions extends ZmqUpstreamOptions {
  /** The electrometer streamer's PUB endpoint, e.g. `tcp://albaem:22003`. */
  readonly url: string
}

/**
 * How the ingester tells AlbaEM messages apart: one JSON part each, `message_type`
 * `series-start`, `data` (with its `frame_number` from 0) or `series-end`.
 */
export const ALBAEM_PROTOCOL: JsonProtocol = {
  label: 'AlbaEM',
  typeField: 'message_type',
  start: 'series-start',
  data: 'data',
  end: 'series-end',
  frameField: 'frame_number',
  parts: { start: [1, 1], data: [1, 1], end: [1, 1] },
}

/** Classify one AlbaEM message (see `classifyJsonMessage`). */
export function classifyAlbaem(parts: readonly Uint8Array[]): Classified {
  return classifyJsonMessage(ALBAEM_PROTOCOL, parts)
}

/**
 * The AlbaEM device type for `createIngester`: frames travel with `typ` `albaem`, and each scan
 * opens a SUB (subscribed to everything) to the streamer's PUB. It skips what precedes
 * `series-start`, then hands out one message per event: the start, every `data` message (placed
 * by its `frame_number`) and the `series-end`; after that, `UPSTREAM_CLOSED`. A message that is
 * not one JSON part with a known `message_type` (and a frame number) is reported as invalid and
 * dropped.
 */
export function createAlbaemUpstreamFactory(options: AlbaemUpstreamOptions): UpstreamFactory {
  return createClassifiedUpstreamFactory(
    {
      typ: ALBAEM_TYP,
      kind: {
        socket: 'sub',
        label: 'AlbaEM',
        connected: 'subscribed to the AlbaEM',
        ended: 'the AlbaEM series ended (series-end was read)',
      },
      classify: classifyAlbaem,
    },
    options,
  )
}
