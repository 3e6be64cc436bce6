import type { EventNumber, StreamName, WorkerName } from './ids.js'

/**
 * All zmq parts one stream contributed to one event, unparsed.
 * `typ` names the protocol (`STINS`, `EIGER_LEGACY`, …) so parsers can dispatch.
 */
export interface StreamData {
  readonly typ: string
  readonly frames: readonly Uint8Array[]
}

/**
 * The message from an ingester to a worker, and one record of a `.cbors` recording:
 * some of the streams of one event. (Dranspose: `InternalWorkerMessage`, CBOR tag 42877.)
 */
export interface WorkerMessage {
  readonly eventNumber: EventNumber
  readonly streams: Readonly<Record<string, StreamData>>
  /** When the ingester forwarded it; absent in older recordings. */
  readonly createdAt?: Date
}

/** A whole event as the worker's `processEvent` sees it: every stream of that event. */
export interface EventData {
  readonly eventNumber: EventNumber
  readonly streams: Readonly<Record<string, StreamData>>
}

/** A worker's result as the reducer's `processResult` sees it. */
export interface ResultData<P = unknown> {
  readonly eventNumber: EventNumber
  readonly worker: WorkerName
  readonly parametersHash: string
  readonly payload: P
}

/** Stream names of a message, branded. */
export function streamNamesOf(msg: {
  streams: Readonly<Record<string, StreamData>>
}): StreamName[] {
  return Object.keys(msg.streams) as StreamName[]
}
