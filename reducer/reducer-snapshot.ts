import { Decoder, Encoder } from 'cbor-x'
import { z } from 'zod'
import type { ControlPlane } from '../src/internal.js'
import { formatIssues, ProtocolError, type ScanId } from '../src/internal.js'

const encoder = new Encoder({ useRecords: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true })

const Count = z.int().nonnegative()

/**
 * A durable snapshot of the reducer's part in one scan (key `reducer-state(scanId)`), CBOR:
 * the analysis instance's state, the exactly-once filter, how far each worker session is
 * reduced, and the counts. What a restarted reducer resumes from (docs/reducer.md).
 */
export const ReducerSnapshot = z.object({
  v: z.literal(1),
  scanId: z.string(),
  /** Epoch ms when it was taken. */
  takenAt: z.number(),
  /** The instance's state (result-payload encoding); empty when it could not be taken. */
  analysis: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
  dedup: z.object({
    floor: Count,
    entries: z.array(z.tuple([Count, z.union([Count, z.array(Count)])])),
  }),
  sessions: z.array(z.tuple([z.string(), z.string(), z.int().min(-1)]).readonly()),
  counts: z.object({
    reduced: Count,
    done: Count,
    workerFailed: Count,
    failed: Count,
    duplicates: Count,
    late: Count,
  }),
})
export type ReducerSnapshot = z.infer<typeof ReducerSnapshot>

/** Encode a snapshot for the control plane. */
export function encodeReducerSnapshot(snapshot: ReducerSnapshot): Uint8Array {
  return encoder.encode(snapshot)
}

/**
 * The latest snapshot of `scanId`, or `undefined` when there is none.
 * @throws ProtocolError `PROTOCOL_INVALID` when the stored value is not a snapshot.
 */
export async function readReducerSnapshot(
  plane: ControlPlane,
  scanId: ScanId,
): Promise<ReducerSnapshot | undefined> {
  const bytes = await plane.get(plane.keys.reducerState(scanId))
  if (bytes === undefined) return undefined
  let value: unknown
  try {
    value = decoder.decode(bytes)
  } catch (cause) {
    throw new ProtocolError(`reducer snapshot of ${scanId} is not CBOR`, { cause })
  }
  // cbor-x gives byte strings as Buffers (a Uint8Array); anything else fails the schema.
  const parsed = ReducerSnapshot.safeParse(value)
  if (!parsed.success) {
    throw new ProtocolError(
      `reducer snapshot of ${scanId}: ${formatIssues(parsed.error, { max: 3 })}`,
    )
  }
  return parsed.data
}
