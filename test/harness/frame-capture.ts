/**
 * A worker and a reducer for replay tests: the worker sends back what each stream of an event
 * holds (STINS messages decoded to their kind, frame, shape, dtype and pixel values; other
 * streams as UTF-8 text); the reducer keeps every result by event number. Loaded by
 * `path:Export` like users' modules.
 */
import {
  type EventData,
  PCAP_RAW_TYP,
  parseStins,
  parseStream,
  type ReducerAnalysis,
  type ResultData,
  STINS_TYP,
  type WorkerAnalysis,
} from '../../src/internal.js'

/** What the worker reports about one stream of one event. */
export type StreamView =
  | { readonly kind: 'start'; readonly filename: string | null; readonly msgNumber: number }
  | {
      readonly kind: 'data'
      readonly msgNumber: number
      readonly frame: number
      readonly shape: readonly number[]
      readonly dtype: string
      readonly compression: string
      readonly values: number[]
    }
  | { readonly kind: 'end'; readonly msgNumber: number }
  | { readonly kind: 'text'; readonly typ: string; readonly text: string[] }

const text = new TextDecoder()

export class FrameWorker implements WorkerAnalysis {
  processEvent(event: EventData): Record<string, StreamView> {
    const out: Record<string, StreamView> = {}
    for (const [name, stream] of Object.entries(event.streams)) {
      if (stream.typ !== STINS_TYP) {
        out[name] = {
          kind: 'text',
          typ: stream.typ,
          text: stream.frames.map((f) => text.decode(f)),
        }
        continue
      }
      const m = parseStins(stream)
      if (m.kind === 'start') {
        out[name] = { kind: 'start', filename: m.filename ?? null, msgNumber: m.msgNumber }
      } else if (m.kind === 'end') {
        out[name] = { kind: 'end', msgNumber: m.msgNumber }
      } else {
        out[name] = {
          kind: 'data',
          msgNumber: m.msgNumber,
          frame: m.frame,
          shape: m.shape,
          dtype: m.dtype.name,
          compression: m.compression,
          values: Array.from(m.data as ArrayLike<number | bigint>, Number),
        }
      }
    }
    return out
  }
}

export class ByEventReducer implements ReducerAnalysis {
  /** Event number → one entry per result (broadcast events give one per worker). */
  readonly publish: { events: Record<string, Record<string, StreamView>[]> } = { events: {} }

  processResult(result: ResultData): void {
    const key = String(result.eventNumber)
    const list = this.publish.events[key] ?? []
    list.push(result.payload as Record<string, StreamView>)
    this.publish.events[key] = list
  }
}

/** What {@link ParsedWorker} reports: a device message parsed by `parseStream`, made plain. */
export type ParsedView = Readonly<Record<string, unknown>>

/**
 * A worker that parses every stream with `parseStream` (the devices' own parsers) and reports
 * each message as plain data (typed arrays as number lists); PandABox TCP rows, which need
 * their acquisition's header, are reported as text.
 */
export class ParsedWorker implements WorkerAnalysis {
  processEvent(event: EventData): Record<string, ParsedView> {
    const out: Record<string, ParsedView> = {}
    for (const [name, stream] of Object.entries(event.streams)) {
      out[name] =
        stream.typ === PCAP_RAW_TYP
          ? { kind: 'text', text: stream.frames.map((f) => text.decode(f)) }
          : (plain(parseStream(stream, name)) as ParsedView)
    }
    return out
  }
}

function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, Number)
  }
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = plain(v)
    return out
  }
  return value
}
