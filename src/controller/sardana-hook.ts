import { z } from 'zod'
import { listIssues } from '../config/format-issues.js'
import {
  MappingInvalidError,
  PartName,
  type Sequence,
  uniformTriggerMap,
} from '../mapping/index.js'
import { streamName } from '../protocol/ids.js'

/** The part name Dranspose gives a map made from a Sardana scan. */
export const SARDANA_PART = 'sardana'
/** The part holding the last `nb_points % SARDANA_PART_EVENTS` points of a long Sardana scan. */
export const SARDANA_REST_PART = 'sardana_rest'
/**
 * Longest Sardana part: a longer scan repeats a part of this many points (and ends with
 * {@link SARDANA_REST_PART}), so its memory does not grow with `nb_points`.
 */
export const SARDANA_PART_EVENTS = 10_000

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
 * stream, is refused (Dranspose answers 200 with a text); the caller maps it to HTTP 400. So is
 * `nb_points` above `maxPoints` (`CONTROLLER_MAX_EVENTS` less the start and end events), before
 * anything is built. A scan of
 * more than `partEvents` ({@link SARDANA_PART_EVENTS}, or `CONTROLLER_MAX_MAP_EVENTS` when that
 * is smaller) points is a part of that length repeated plus a `sardana_rest`
 * part: each event still gets a constraint of its own (constraints bind per part instance),
 * and memory stays that of 10 000 points.
 * @throws MappingInvalidError `MAPPING_INVALID` with the offending paths.
 */
export function sardanaSequence(
  info: unknown,
  served: ReadonlySet<string>,
  maxPoints = Number.MAX_SAFE_INTEGER,
  partEvents = SARDANA_PART_EVENTS,
): Sequence {
  const parsed = SardanaHookInfo.safeParse(info)
  if (!parsed.success) {
    throw new MappingInvalidError('sardana scan description', listIssues(parsed.error))
  }
  const points = parsed.data.scan.nb_points
  if (points > maxPoints) {
    throw new MappingInvalidError('sardana scan description', [
      {
        path: ['scan', 'nb_points'],
        message: `${points} points, more than the ${maxPoints} allowed (CONTROLLER_MAX_EVENTS, less the start and end events)`,
      },
    ])
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
  const names = streams.map(streamName)
  const part = PartName.parse(SARDANA_PART)
  if (points <= partEvents) {
    return { parts: { [part]: uniformTriggerMap(names, points) }, sequence: [part] }
  }
  const repeats = Math.floor(points / partEvents)
  const rest = points - repeats * partEvents
  const restPart = PartName.parse(SARDANA_REST_PART)
  return {
    parts: {
      [part]: uniformTriggerMap(names, partEvents),
      ...(rest === 0 ? {} : { [restPart]: uniformTriggerMap(names, rest) }),
    },
    sequence: [...Array.from({ length: repeats }, () => part), ...(rest === 0 ? [] : [restPart])],
  }
}
