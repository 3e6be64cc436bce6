import { z } from 'zod'
import {
  MappingInvalidError,
  PartName,
  type Sequence,
  uniformTriggerMap,
} from '../mapping/index.js'
import { streamName } from '../protocol/ids.js'

/** The part name Dranspose gives a map made from a Sardana scan. */
export const SARDANA_PART = 'sardana'

/** What Sardana's hook posts: the streams it records and the scan description. */
export const SardanaHookInfo = z.looseObject({
  streams: z.array(z.string().min(1), { error: 'streams required (a list of stream names)' }),
  scan: z.looseObject({
    nb_points: z.int({ error: 'no nb_points in scan' }).nonnegative(),
  }),
})
export type SardanaHookInfo = z.infer<typeof SardanaHookInfo>

/**
 * The sequence for a Sardana scan, as Dranspose builds it: a uniform map of `nb_points` events
 * (event i carries constraint i on every stream) over the posted streams that a live ingester
 * serves, as one part `sardana`. Pure.
 *
 * Differs from Dranspose: a body without `scan`, `nb_points` or `streams`, or with no served
 * stream, is refused (Dranspose answers 200 with a text); the caller maps it to HTTP 400.
 * @throws MappingInvalidError `MAPPING_INVALID` with the offending paths.
 */
export function sardanaSequence(info: unknown, served: ReadonlySet<string>): Sequence {
  const parsed = SardanaHookInfo.safeParse(info)
  if (!parsed.success) {
    throw new MappingInvalidError(
      'sardana scan description',
      parsed.error.issues.map((i) => ({
        path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)),
        message: i.message,
      })),
    )
  }
  const streams = [...new Set(parsed.data.streams)].filter((s) => served.has(s))
  if (streams.length === 0) {
    throw new MappingInvalidError('sardana scan description', [
      {
        path: ['streams'],
        message: `none of the streams ${parsed.data.streams.join(', ') || '(none)'} is served by a live ingester`,
      },
    ])
  }
  const part = PartName.parse(SARDANA_PART)
  return {
    parts: { [part]: uniformTriggerMap(streams.map(streamName), parsed.data.scan.nb_points) },
    sequence: [part],
  }
}
