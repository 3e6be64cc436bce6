/**
 * Test analysis for device scans: the worker parses every stream of an event with
 * `parseStream` and sends a summary (the message kind, and the sum and length of every numeric
 * array and the value of every number in it, by dotted path); the reducer keeps the summaries
 * by event number. Tests compare them with figures computed from the raw captures.
 */
import {
  type EventData,
  parseStream,
  type ReducerAnalysis,
  type ResultData,
  type WorkerAnalysis,
} from '../../../src/internal.js'

/** What the worker reports of one stream of one event. */
export interface StreamSummary {
  readonly protocol: string
  readonly kind: string
  /** Dotted path → sum of a numeric array, or a number's value. */
  readonly sums: Record<string, number>
  /** Dotted path → element count of a numeric array. */
  readonly lengths: Record<string, number>
  /** Dotted path → a string value (top levels only). */
  readonly strings: Record<string, string>
}

/** `publish.events[eventNumber][stream]`. */
export type DeviceSummaries = Record<string, Record<string, StreamSummary>>

function isNumericArray(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return !(value instanceof BigInt64Array || value instanceof BigUint64Array)
  }
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')
}

function walk(value: unknown, path: string, out: StreamSummary, depth: number): void {
  if (typeof value === 'number') {
    out.sums[path] = value
    return
  }
  if (typeof value === 'bigint') {
    out.sums[path] = Number(value)
    return
  }
  if (typeof value === 'string') {
    if (depth <= 3 && value.length <= 200) out.strings[path] = value
    return
  }
  if (isNumericArray(value)) {
    let sum = 0
    for (let i = 0; i < value.length; i++) sum += value[i] as number
    out.sums[path] = sum
    out.lengths[path] = value.length
    return
  }
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    let sum = 0
    for (const v of value) sum += Number(v)
    out.sums[path] = sum
    out.lengths[path] = value.length
    return
  }
  if (depth > 6 || value === null || typeof value !== 'object' || value instanceof Uint8Array) {
    return
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v] as const)
      : Object.entries(value)
  for (const [key, child] of entries)
    walk(child, path === '' ? key : `${path}.${key}`, out, depth + 1)
}

export class DeviceSummaryWorker implements WorkerAnalysis {
  processEvent(event: EventData): unknown {
    const streams: Record<string, StreamSummary> = {}
    for (const [name, data] of Object.entries(event.streams)) {
      const message = parseStream(data) as { protocol: string; kind: string }
      const summary: StreamSummary = {
        protocol: message.protocol,
        kind: message.kind,
        sums: {},
        lengths: {},
        strings: {},
      }
      walk(message, '', summary, 0)
      streams[name] = summary
    }
    return { event: event.eventNumber, streams }
  }
}

export class DeviceSummaryReducer implements ReducerAnalysis {
  publish: { events: DeviceSummaries } = { events: {} }

  processResult(result: ResultData): void {
    const payload = result.payload as { event: number; streams: Record<string, StreamSummary> }
    this.publish.events[String(payload.event)] = payload.streams
  }
}
