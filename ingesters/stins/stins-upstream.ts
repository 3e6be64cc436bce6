import { STINS_TYP } from '../../src/internal.js'
import {
  createSeriesUpstreamFactory,
  type PullUpstreamOptions,
  type SeriesProtocol,
} from '../base/series-upstream.js'
import type { UpstreamFactory } from '../base/upstream.js'

/** Options of {@link createStinsUpstreamFactory}: the device's PUSH endpoint and tuning. */
export type StinsUpstreamOptions = PullUpstreamOptions

/**
 * How the ingester tells STINS messages apart: `htype` `header` (1 part; more are ignored by
 * the parser), `image` (the JSON and at least one blob part) with its `frame` number from 0,
 * `series_end` (1 part).
 */
export const STINS_PROTOCOL: SeriesProtocol = {
  typ: STINS_TYP,
  label: 'STINS',
  typeField: 'htype',
  start: 'header',
  data: 'image',
  end: 'series_end',
  frameField: 'frame',
  parts: { start: [1, Infinity], data: [2, Infinity], end: [1, Infinity] },
}

/**
 * The STINS device type for `createIngester`: frames travel with `typ` `STINS`, and each scan
 * opens a PULL to `options.url` (STINS detectors PUSH). Like Dranspose's STINS ingester it skips
 * what precedes the series' `header`, hands out the header, every `image` and the `series_end`,
 * and then nothing; images are placed on their events by their `frame` number.
 */
export function createStinsUpstreamFactory(options: StinsUpstreamOptions): UpstreamFactory {
  return createSeriesUpstreamFactory(STINS_PROTOCOL, options)
}
