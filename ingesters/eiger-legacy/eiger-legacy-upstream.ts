import { EIGER_LEGACY_TYP } from '../../src/index.js'
import { createSeriesUpstreamFactory, type PullUpstreamOptions } from '../base/series-upstream.js'
import type { UpstreamFactory } from '../base/upstream.js'

/** Options of {@link createEigerLegacyUpstreamFactory}: the detector's PUSH endpoint and tuning. */
export type EigerLegacyUpstreamOptions = PullUpstreamOptions

/**
 * The Eiger Stream V1 (DECTRIS legacy) device type for `createIngester`: frames travel with
 * `typ` `EIGER_LEGACY`, and each scan opens a PULL to `options.url`. It skips what precedes the
 * series' `dheader-1.0`, hands out the header (1–9 parts), every `dimage-1.0` (4–5 parts) and
 * the `dseries_end-1.0`, one zmq message per event, and then nothing.
 */
export function createEigerLegacyUpstreamFactory(
  options: EigerLegacyUpstreamOptions,
): UpstreamFactory {
  return createSeriesUpstreamFactory(
    {
      typ: EIGER_LEGACY_TYP,
      label: 'Eiger',
      header: 'dheader-1.0',
      data: 'dimage-1.0',
      end: 'dseries_end-1.0',
    },
    options,
  )
}
