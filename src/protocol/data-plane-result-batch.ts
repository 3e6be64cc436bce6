import { z } from 'zod'
import { ProtocolError } from '../errors.js'
import { DATA_PLANE_VERSION, Layout, type Slot, slot } from './data-plane.js'
import { decodeDataPlaneHeader, encodeDataPlaneHeader } from './data-plane-cbor.js'
import { type EventNumber, eventNumber, ScanId, WorkerName } from './ids.js'

/** Outcome codes in a result batch's layout. */
export const RESULT_OUTCOME = { done: 0, result: 1, failed: 2 } as const
const OUTCOMES = ['done', 'result', 'failed'] as const

/**
 * Part 0 of a worker → reducer message. The CBOR payloads of the `result` items follow as
 * parts 1…n, in item order.
 *
 * `session` names the worker's part in one scan (a fresh random id each time it joins a scan)
 * and `seq` numbers its batches in that session, 0, 1, 2, …: the reducer acknowledges them by
 * number (`ResultAck`), and the worker keeps each batch until it is acknowledged durable,
 * sending it again after a reconnection (DESIGN.md "Delivery and failure").
 *
 * `items` is a flat layout, four numbers per finished event:
 * `eventNumber, slot, hashIndex, outcome` with `hashIndex` into `hashes` (the parameter hashes
 * the events were computed with) and `outcome` 0 = done (no result), 1 = result (one payload
 * part follows), 2 = failed (the analysis threw; the event is complete, nothing to reduce).
 */
export const ResultBatchHeader = z.object({
  v: z.literal(DATA_PLANE_VERSION),
  kind: z.literal('results'),
  scan: ScanId,
  worker: WorkerName,
  session: z.string().min(1).max(64),
  seq: z.int().nonnegative(),
  /** Every batch of the session numbered below this is durable: it will not come again. */
  floor: z.int().nonnegative(),
  hashes: z.array(z.string()),
  items: Layout,
  /**
   * The stream each failed item failed on, when known (a malformed or missing frame of that
   * stream): `[item index, stream]` pairs. Absent when no item names one; older senders omit it.
   */
  failedStreams: z.array(z.tuple([z.int().nonnegative(), z.string().min(1).max(256)])).optional(),
})
export type ResultBatchHeader = z.infer<typeof ResultBatchHeader>

interface ResultItemBase {
  readonly eventNumber: EventNumber
  readonly slot: Slot
  readonly parametersHash: string
}

/**
 * One finished event as the reducer receives it. Every event a worker finishes is reported
 * exactly once per assignment: with its result, or as done/failed (DESIGN.md "Completion has
 * one path"). `payload` is the CBOR the worker encoded, as received (decode it once).
 */
export type ResultItem =
  | (ResultItemBase & { readonly outcome: 'result'; readonly payload: Uint8Array })
  | (ResultItemBase & { readonly outcome: 'done' })
  | (ResultItemBase & {
      readonly outcome: 'failed'
      /** The stream it failed on, when the worker knew it. */
      readonly stream?: string
    })

/** A decoded worker → reducer message. */
export interface ResultBatch {
  readonly scan: ScanId
  readonly worker: WorkerName
  /** The sender's session (see {@link ResultBatchHeader}). */
  readonly session: string
  /** The batch's number in its session. */
  readonly seq: number
  /** Batches of the session below this number are durable (the sender forgot them). */
  readonly floor: number
  readonly items: readonly ResultItem[]
}

const WHAT = 'result batch'

function fail(reason: string): never {
  throw new ProtocolError(`${WHAT}: ${reason}`)
}

/** Check the layout against the parts; returns how many payloads it references. */
function checkLayout(header: ResultBatchHeader, payloadsAvailable: number): number {
  if (header.floor > header.seq) fail(`floor ${header.floor} above seq ${header.seq}`)
  const items = header.items
  if (items.length % 4 !== 0) fail(`layout length ${items.length} is not a multiple of 4`)
  let payloads = 0
  for (let i = 0; i < items.length; i += 4) {
    if (items[i + 2]! >= header.hashes.length) {
      fail(`event ${items[i]} refers to parameter hash index ${items[i + 2]}`)
    }
    const outcome = items[i + 3]!
    if (outcome > 2) fail(`event ${items[i]} has unknown outcome ${outcome}`)
    if (outcome === RESULT_OUTCOME.result) payloads++
  }
  if (payloads !== payloadsAvailable) {
    fail(`layout references ${payloads} payloads, ${payloadsAvailable} present`)
  }
  for (const [index] of header.failedStreams ?? []) {
    if (items[index * 4 + 3] !== RESULT_OUTCOME.failed) {
      fail(`failedStreams names item ${index}, which is not a failed item`)
    }
  }
  return payloads
}

/**
 * Encode a worker → reducer message: `[cbor(header), ...payloads]`.
 * @throws ProtocolError `PROTOCOL_INVALID` when the layout does not match `payloads.length`.
 */
export function encodeResultBatch(
  header: ResultBatchHeader,
  payloads: readonly Uint8Array[],
): Uint8Array[] {
  checkLayout(header, payloads.length)
  return [encodeDataPlaneHeader(header), ...payloads]
}

/**
 * Decode a worker → reducer message received as zmq parts. Payloads are the received parts.
 * @throws ProtocolError `PROTOCOL_INVALID` with the reason: bad header, hash index out of range,
 * unknown outcome, or a payload count that does not match the parts.
 */
export function decodeResultBatch(parts: readonly Uint8Array[]): ResultBatch {
  const header = decodeDataPlaneHeader(parts[0], ResultBatchHeader, WHAT)
  checkLayout(header, parts.length - 1)
  const src = header.items
  const failedOn = header.failedStreams === undefined ? undefined : new Map(header.failedStreams)
  const items: ResultItem[] = new Array(src.length / 4)
  let part = 1
  for (let i = 0, n = 0; i < src.length; i += 4, n++) {
    const e = eventNumber(src[i]!)
    const s = slot(src[i + 1]!)
    const hash = header.hashes[src[i + 2]!]!
    const code = src[i + 3]!
    items[n] =
      code === RESULT_OUTCOME.result
        ? {
            eventNumber: e,
            slot: s,
            parametersHash: hash,
            outcome: 'result',
            payload: parts[part++]!,
          }
        : OUTCOMES[code] === 'failed'
          ? {
              eventNumber: e,
              slot: s,
              parametersHash: hash,
              outcome: 'failed',
              ...(failedOn?.has(n) === true ? { stream: failedOn.get(n) as string } : {}),
            }
          : { eventNumber: e, slot: s, parametersHash: hash, outcome: 'done' }
  }
  return {
    scan: header.scan,
    worker: header.worker,
    session: header.session,
    seq: header.seq,
    floor: header.floor,
    items,
  }
}
