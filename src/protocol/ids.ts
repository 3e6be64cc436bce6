import { z } from 'zod'

/** Name of a data stream (one device or one channel of a device), e.g. `eiger`. */
export const StreamName = z.string().min(1).brand<'StreamName'>()
export type StreamName = z.infer<typeof StreamName>

/** Name of a real worker process or thread. */
export const WorkerName = z.string().min(1).brand<'WorkerName'>()
export type WorkerName = z.infer<typeof WorkerName>

/** Event number within a scan; 0 is the start (header) event when the map is wrapped. */
export const EventNumber = z.number().int().nonnegative().brand<'EventNumber'>()
export type EventNumber = z.infer<typeof EventNumber>

/** Identifier of one scan (one trigger map). */
export const ScanId = z.string().min(1).brand<'ScanId'>()
export type ScanId = z.infer<typeof ScanId>

/** Name of an analysis parameter. */
export const ParameterName = z.string().min(1).brand<'ParameterName'>()
export type ParameterName = z.infer<typeof ParameterName>

/** Brand a trusted in-process number as an event number (no validation; use the schema at edges). */
export const eventNumber = (n: number): EventNumber => n as EventNumber
/** Brand a trusted in-process string as a stream name. */
export const streamName = (s: string): StreamName => s as StreamName
/** Brand a trusted in-process string as a worker name. */
export const workerName = (s: string): WorkerName => s as WorkerName
