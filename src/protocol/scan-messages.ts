import { z } from 'zod'
import { parseJsonBytes } from '../codec/json-bytes.js'
import { formatIssues } from '../config/format-issues.js'
import { ProtocolError } from '../errors.js'
import { ScanId, WorkerName } from './ids.js'

/**
 * Messages of a scan's life on the control plane. Each is JSON in one stream-entry field
 * (or one key), parsed with its schema once on receipt. Event ranges are `[from, to)` pairs.
 *
 * Flow (see docs/architecture.md):
 * - controller: `ScanState` key + `ScanUpdate` on `scan-updates`; `AssignmentEntry` on
 *   `scan:{id}:assignments`
 * - workers: `CreditRequest` on `scan:{id}:credits`
 * - reducer: `CompletionReport` on `scan:{id}:completions`
 */

/** `[from, to)`: the events `from … to-1`. */
export const Range = z.tuple([z.int().nonnegative(), z.int().nonnegative()])
export type Range = z.infer<typeof Range>

/** What a scan is and where it stands (key `scan:{id}:state`). */
export const ScanState = z.object({
  scanId: ScanId,
  /** 1, 2, 3, … per control plane: what people call the scan (`scan 12`). */
  number: z.int().positive().optional(),
  /** A name given when the scan was started (`POST /api/v1/mapping?name=…`). */
  name: z.string().max(200).optional(),
  /** The sequence as given (parts and order), re-validated by whoever compiles it. */
  sequence: z.unknown(),
  allWrap: z.boolean(),
  totalEvents: z.int().nonnegative(),
  streams: z.array(z.string()),
  /**
   * `finished`: every event reduced or failed with a reason; `stopped`: ended early on purpose
   * (an operator's stop, a lost upstream, a new scan); `failed`: ended because it could not go
   * on (no progress until the deadline, the control plane lost its data).
   */
  status: z.enum(['running', 'finished', 'stopped', 'failed']),
  createdAt: z.string(),
  endedAt: z.string().optional(),
  /** Why the scan ended early (`stopped`, `failed`). */
  reason: z.string().optional(),
})
export type ScanState = z.infer<typeof ScanState>

/** Entry of the `scan-updates` stream (field `u`). */
export const ScanUpdate = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), scanId: ScanId }),
  z.object({ type: z.literal('finished'), scanId: ScanId }),
  z.object({ type: z.literal('stopped'), scanId: ScanId, reason: z.string() }),
  z.object({ type: z.literal('failed'), scanId: ScanId, reason: z.string() }),
])
export type ScanUpdate = z.infer<typeof ScanUpdate>

/**
 * A worker asks for more work (field `c` of `scan:{id}:credits`): `credits` more events than it
 * was asked for so far. Workers send one when half their window is free, never per event.
 */
export const CreditRequest = z.object({ worker: WorkerName, credits: z.int().positive() })
export type CreditRequest = z.infer<typeof CreditRequest>

/**
 * A worker could not process an event (also field `c` of `scan:{id}:credits`): its analysis
 * overran the time limit (`timeout`) or its host died or exceeded the memory cap (`crashed`).
 * The worker has replaced its analysis and let go of the event; the controller hands it to
 * another worker or, after enough attempts, marks it failed.
 */
export const EventFault = z.object({
  worker: WorkerName,
  fault: z.object({
    event: z.int().nonnegative(),
    kind: z.enum(['timeout', 'crashed']),
    reason: z.string().max(4096),
  }),
})
export type EventFault = z.infer<typeof EventFault>

/** Everything a worker appends to `scan:{id}:credits`. */
export const WorkerToController = z.union([CreditRequest, EventFault])
export type WorkerToController = z.infer<typeof WorkerToController>

/** One stream's routing of consecutive events: `[from, to, workers]`; `null` = not read. */
export const RouteTuple = z.tuple([
  z.int().nonnegative(),
  z.int().nonnegative(),
  z.array(WorkerName).nullable(),
])
export type RouteTuple = z.infer<typeof RouteTuple>

/** A slot override: events `[from, to)` held by `worker` carry slot `slot`. */
export const SlotTuple = z.tuple([
  z.int().nonnegative(),
  z.int().nonnegative(),
  WorkerName,
  z.int().nonnegative(),
])
export type SlotTuple = z.infer<typeof SlotTuple>

/**
 * What the controller decided (field `a` of `scan:{id}:assignments`). Entries are read in order
 * by ingesters (what to read and where to send it), workers (which events to expect) and the
 * reducer (slots of re-routed work, the completed frontier).
 */
export const AssignmentEntry = z.object({
  /** 0, 1, 2, … per scan. */
  seq: z.int().nonnegative(),
  /** Events released by this entry (routes below cover them). */
  released: Range,
  /** Released events whose routing changed (a worker left); routes below cover them too. */
  rerouted: z.array(Range),
  /** Routes of every event in `released` and `rerouted`, per stream. */
  routes: z.record(z.string(), z.array(RouteTuple)),
  /** Slots of re-routed work (default: a worker's own slot). */
  slots: z.array(SlotTuple),
  /** Each worker's own slot number, for workers new in this entry. */
  workerSlots: z.record(z.string(), z.int().nonnegative()),
  /** Events below this are complete (reduced): ingesters may drop what they kept. */
  completedFrontier: z.int().nonnegative(),
})
export type AssignmentEntry = z.infer<typeof AssignmentEntry>

/** The reducer reports reduced events (field `c` of `scan:{id}:completions`). */
export const CompletionReport = z.object({
  /** Per worker, the events it finished (done, result or failed) that are now reduced. */
  done: z.array(z.tuple([WorkerName, z.array(Range)])),
  /** Events whose analysis failed (counted, still complete). */
  failed: z.int().nonnegative(),
  /** Of those, how many failed on each stream (a malformed or missing frame of it), when known. */
  failedStreams: z.record(z.string(), z.int().positive()).optional(),
})
export type CompletionReport = z.infer<typeof CompletionReport>

/**
 * Parse one JSON field of a control-plane entry with its schema.
 * @throws ProtocolError naming what was expected.
 */
export function parseControlJson<S extends z.ZodType>(
  schema: S,
  text: string | Uint8Array | undefined,
  what: string,
): z.output<S> {
  if (text === undefined) throw new ProtocolError(`${what}: field missing`)
  let json: unknown
  try {
    json = typeof text === 'string' ? JSON.parse(text) : parseJsonBytes(text)
  } catch (cause) {
    throw new ProtocolError(`${what}: not JSON`, { cause })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    throw new ProtocolError(`${what}: ${formatIssues(parsed.error)}`)
  }
  return parsed.data
}
