import {
  compileScanPlan,
  parseSequence,
  type Sequence,
  type TriggerMap,
  type TriggerMapEntry,
  type VirtualWorker,
} from '../mapping/index.js'

/** A trigger map as JSON: stream → one entry per event. */
export type TriggerMapJson = Record<string, TriggerMapEntry[]>

/**
 * `GET /api/v1/sequence` (and the deprecated `GET /api/v1/mapping`) as Dranspose returns it:
 * every part as `{ mapping: <trigger map> }`, including the `reserved_start_end` part when the
 * scan is wrapped, and the `sequence` list with that part before and after the user's parts.
 * Virtual workers carry both `tags` and `constraint`, defaults filled in.
 */
export interface SequenceDocument {
  readonly parts: Record<string, { readonly mapping: TriggerMapJson }>
  readonly sequence: string[]
}

/**
 * The sequence document of a scan (pure): its parts and order exactly as the controller runs
 * them, start/end part included. Before the first scan it is the document of an empty
 * wrapped sequence, as Dranspose's controller starts with one.
 * @throws MappingInvalidError `MAPPING_INVALID` only if the stored sequence does not validate.
 */
export function sequenceDocument(
  scan: { readonly sequence: unknown; readonly allWrap: boolean } | undefined,
): SequenceDocument {
  const source: Sequence =
    scan === undefined ? { parts: {}, sequence: [] } : parseSequence(scan.sequence)
  const plan = compileScanPlan(source, { allWrap: scan?.allWrap ?? true })
  const parts: Record<string, { mapping: TriggerMapJson }> = {}
  for (const part of plan.parts) parts[part.name] = { mapping: filled(part.source) }
  const sequence = Array.from(plan.instancePart, (i) => plan.parts[i]?.name ?? '')
  return { parts, sequence }
}

/** The map with every virtual worker as `{ tags, constraint }` (a copy). */
function filled(map: TriggerMap): TriggerMapJson {
  const out: TriggerMapJson = {}
  for (const [stream, entries] of Object.entries(map)) {
    out[stream] = entries.map((entry) =>
      entry === null
        ? null
        : entry.map((vw): VirtualWorker => ({ tags: [...vw.tags], constraint: vw.constraint })),
    )
  }
  return out
}
