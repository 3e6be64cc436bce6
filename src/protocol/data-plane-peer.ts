import { z } from 'zod'
import { ProtocolError } from '../errors.js'
import { DATA_PLANE_VERSION } from './data-plane.js'
import { decodeDataPlaneHeader, encodeDataPlaneHeader } from './data-plane-cbor.js'
import { WorkerName } from './ids.js'

/**
 * Worker → ingester, on every (re)connection of the worker's DEALER: "I am here". The ingester
 * records the routing id and may route event batches to this worker from then on.
 */
export const WorkerHello = z.object({
  v: z.literal(DATA_PLANE_VERSION),
  kind: z.literal('hello'),
  worker: WorkerName,
})
export type WorkerHello = z.infer<typeof WorkerHello>

/** Worker → ingester, best effort on a graceful close: "send me nothing more". */
export const WorkerBye = z.object({
  v: z.literal(DATA_PLANE_VERSION),
  kind: z.literal('bye'),
  worker: WorkerName,
})
export type WorkerBye = z.infer<typeof WorkerBye>

/** Every message a worker sends to an ingester. */
export const WorkerToIngester = z.discriminatedUnion('kind', [WorkerHello, WorkerBye])
export type WorkerToIngester = z.infer<typeof WorkerToIngester>

/** Encode a worker → ingester message as its single zmq part. */
export function encodeWorkerToIngester(message: WorkerToIngester): Uint8Array {
  return encodeDataPlaneHeader(message)
}

/**
 * Decode a worker → ingester message as received by the ingester's ROUTER: `[routingId, body]`.
 * The worker named in the body must be the connection's routing id.
 * @throws ProtocolError `PROTOCOL_INVALID` on a wrong part count, bad CBOR or schema, or a
 * worker name that differs from the routing id.
 */
export function decodeWorkerToIngester(parts: readonly Uint8Array[]): WorkerToIngester {
  if (parts.length !== 2) {
    throw new ProtocolError(
      `worker message: expected 2 parts (routing id, body), got ${parts.length}`,
    )
  }
  const message = decodeDataPlaneHeader(parts[1], WorkerToIngester, 'worker message')
  const routingId = Buffer.from(
    parts[0]!.buffer,
    parts[0]!.byteOffset,
    parts[0]!.byteLength,
  ).toString()
  if (message.worker !== routingId) {
    throw new ProtocolError(
      `worker message: '${message.worker}' arrived on the connection of '${routingId}'`,
    )
  }
  return message
}
