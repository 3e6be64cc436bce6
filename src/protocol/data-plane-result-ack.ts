import { z } from 'zod'
import { DATA_PLANE_VERSION } from './data-plane.js'
import { decodeDataPlaneHeader, encodeDataPlaneHeader } from './data-plane-cbor.js'
import { ScanId } from './ids.js'

/**
 * Reducer → worker, on the result link: how far the reducer has got with one session's result
 * batches (see `ResultBatchHeader`). Both numbers are cumulative: every batch numbered at or
 * below them is covered; `-1` covers none.
 *
 * - `reduced`: handed to the analysis (or dropped as a duplicate). The worker's credits for
 *   these events come back: a slow reducer slows the workers down instead of queueing without
 *   bound.
 * - `durable`: reduced and in a snapshot of the reducer's state, their completion reported to
 *   the controller. The worker forgets these batches; until then it keeps them and sends them
 *   again after a reconnection or to a restarted reducer.
 */
export const ResultAck = z.object({
  v: z.literal(DATA_PLANE_VERSION),
  kind: z.literal('ack'),
  scan: ScanId,
  session: z.string().min(1).max(64),
  reduced: z.int().min(-1),
  durable: z.int().min(-1),
})
export type ResultAck = z.infer<typeof ResultAck>

/** Encode an acknowledgement as its single zmq part. */
export function encodeResultAck(ack: ResultAck): Uint8Array {
  return encodeDataPlaneHeader(ack)
}

/**
 * Decode an acknowledgement as the worker's DEALER receives it (one part).
 * @throws ProtocolError `PROTOCOL_INVALID` on a wrong part count, bad CBOR or schema.
 */
export function decodeResultAck(parts: readonly Uint8Array[]): ResultAck {
  return decodeDataPlaneHeader(parts.length === 1 ? parts[0] : undefined, ResultAck, 'result ack')
}
