import { STINS_TYP } from '../../src/index.js'
import { createSeriesUpstreamFactory, type PullUpstreamOptions } from '../base/series-upstream.js'
import type { UpstreamFactory } from '../base/upstream.js'

/** Options of {@link createStinsUpstreamFactory}: the device's PUSH endpoint and tuning. */
export type StinsUpstreamOptions = PullUpstreamOptions

/**
 * The STINS device type for `createIngester`: frames travel with `typ` `STINS`, and each scan
 * opens a PULL to `options.url` (STINS detectors PUSH). Like Dranspose's STINS ingester it skips
 * what precedes the series' `header`, hands out the header, every `image` and the `series_end`,
 * and then nothing.
 */
export function createStinsUpstreamFactory(options: StinsUpstreamOptions): UpstreamFactory {
  return createSeriesUpstreamFactory(
    { typ: STINS_TYP, label: 'STINS', header: 'header', data: 'image', end: 'series_end' },
    options,
  )
}
