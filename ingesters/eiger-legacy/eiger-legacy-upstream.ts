import { EIGER_LEGACY_TYP } from '../../src/internal.js'
import {
  createSeriesUpstreamFactory,
  type PullUpstreamOptions,
  type SeriesProtocol,
} from '../base/series-upstream.js'
import type { UpstreamFactory } from '../base/upstream.js'

/** Options of {@link createEigerLegacyUpstreamFactory}: the detector's PUSH endpoint and tuning. */
export type EigerLegacyUpstreamOptions = PullUpstreamOptions

/**
 * How the ingester tells Eiger Stream V1 messages apart: `htype` `dheader-1.0` (1–9 parts, by
 * `header_detail` and an optional appendix), `dimage-1.0` (4 or 5 parts) with its `frame`
 * number from 0, `dseries_end-1.0` (1 part).
 */
export const EIGER_LEGACY_PROTOCOL: SeriesProtocol = {
  typ: EIGER_LEGACY_TYP,
  label: 'Eiger V1',
  typeField: 'htype',
  start: 'dheader-1.0',
  data: 'dimage-1.0',
  end: 'dseries_end-1.0',
  frameField: 'frame',
  parts: { start: [1, 9], data: [4, 5], end: [1, 1] },
}

/**
 * The Eiger Stream V1 (DECTRIS legacy) device type for `createIngester`: frames travel with
 * `typ` `EIGER_LEGACY`, and each scan opens a PULL to `options.url`. It skips what precedes the
 * series' `dheader-1.0`, hands out the header (1–9 parts), every `dimage-1.0` (4–5 parts) and
 * the `dseries_end-1.0`, one zmq message per event, and then nothing; images are placed on
 * their events by their `frame` number.
 */
export function createEigerLegacyUpstreamFactory(
  options: EigerLegacyUpstreamOptions,
): UpstreamFactory {
  return createSeriesUpstreamFactory(EIGER_LEGACY_PROTOCOL, options)
}
