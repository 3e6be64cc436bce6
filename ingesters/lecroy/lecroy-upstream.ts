import { LECROY_TYP, parseJsonBytes, type StreamName } from '../../src/internal.js'
import { clip, isFrameNumber } from '../base/classify-json.js'
import type { UpstreamContext, UpstreamFactory, UpstreamMessage } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createLecroyUpstreamFactory}. */
export interface LecroyUpstreamOptions extends ZmqUpstreamOptions {
  /** The scope bridge's PUB endpoint, e.g. `tcp://scope:22004`. */
  readonly url: string
}

/** What the first part of a LeCroy message says it is. */
export type LecroyPart =
  | { readonly kind: 'prepare' | 'seq-end' | 'stop' | 'traces' }
  | {
      readonly kind: 'seq-start'
      /** `seqno` of the sequence, when it is a frame number. */
      readonly seqno: number | undefined
      /** `ntriggers: -1`: the scope sends this sequence start once for the whole run. */
      readonly continuous: boolean
    }
  | { readonly kind: 'invalid'; readonly reason: string }

const WHAT = ['prepare', 'seq-start', 'seq-end', 'stop'] as const

/** Parts each kind of message has on the wire. */
const PARTS = { prepare: 1, 'seq-start': 1, 'seq-end': 1, stop: 1, traces: 3 } as const

/**
 * Classify a LeCroy message by its first part (small JSON: `htype`, `what`, a sequence start's
 * `seqno` and `ntriggers`) and its part count (3 for traces, 1 for the rest); the waveforms and
 * timestamps are left to the parser.
 */
export function classifyLecroy(parts: readonly Uint8Array[]): LecroyPart {
  const part = classifyFirst(parts[0])
  if (part.kind === 'invalid') return part
  const expected = PARTS[part.kind]
  if (parts.length !== expected) {
    return {
      kind: 'invalid',
      reason: `LeCroy ${part.kind} message with ${parts.length} parts (expected ${expected})`,
    }
  }
  return part
}

function classifyFirst(first: Uint8Array | undefined): LecroyPart {
  if (first === undefined || first.length > 65_536 || first[0] !== 0x7b) {
    return { kind: 'invalid', reason: 'LeCroy message whose first part is not a JSON object' }
  }
  let json: unknown
  try {
    json = parseJsonBytes(first)
  } catch {
    return { kind: 'invalid', reason: 'LeCroy message whose first part is not valid JSON' }
  }
  const htype = fieldOf(json, 'htype')
  const what = fieldOf(json, 'what')
  if (htype === 'traces') return { kind: 'traces' }
  const kind = typeof what === 'number' ? WHAT[what] : undefined
  if (kind === undefined || (htype !== 'msg' && htype !== undefined)) {
    return {
      kind: 'invalid',
      reason: `LeCroy message with htype ${clip(String(JSON.stringify(htype)))} and what ${clip(String(JSON.stringify(what)))}`,
    }
  }
  if (kind !== 'seq-start') return { kind }
  const seqno = fieldOf(json, 'seqno')
  return {
    kind,
    seqno: isFrameNumber(seqno) ? seqno : undefined,
    continuous: fieldOf(json, 'ntriggers') === -1,
  }
}

const LECROY: ZmqUpstreamKind = {
  socket: 'sub',
  label: 'LeCroy',
  connected: 'subscribed to the LeCroy bridge',
  ended: 'the LeCroy run ended (stop was read)',
}

/**
 * The LeCroy upstream of one scan: a zmq SUB (subscribed to everything) connected to the scope
 * bridge's PUB. One trigger sequence arrives as several messages; this joins them into one
 * event as Dranspose does:
 *
 * - it skips what precedes a `prepare` (`what: 0`) and hands that out as the start event;
 * - then every sequence becomes one event: the sequence start (`what: 1`), each channel's
 *   3-part `traces` message, and the sequence end (`what: 2`), all parts in arrival order. In
 *   continuous mode (`ntriggers: -1`) the scope sends only one sequence start, so its parts
 *   head every later event too;
 * - the `stop` (`what: 3`) is the end event; after it, `UPSTREAM_CLOSED`.
 *
 * A message that is not one of these (or has the wrong part count), or a sequence the stop cut
 * short, is reported as invalid and dropped.
 *
 * Sequences are placed on events by their `seqno`, counted from the first sequence of the run
 * (the bridge's numbering base is not specified): a jump in `seqno` leaves the events of the
 * sequences in between missing, a repeated one is dropped. In continuous mode (one sequence
 * start for the run) sequences take events in arrival order.
 */
class LecroyUpstream extends ZmqUpstream {
  /** The parts of the sequence being joined (kept across aborted calls). */
  #sequence: Uint8Array[] = []
  /** Continuous mode: the first sequence start, repeated at the head of every event. */
  #seed: readonly Uint8Array[] | undefined
  /** `seqno` of the sequence being joined (sequential mode). */
  #seqno: number | undefined
  /** `seqno` of the run's first sequence: frame 0. */
  #firstSeqno: number | undefined

  constructor(options: LecroyUpstreamOptions, context: UpstreamContext) {
    super(LECROY, options, context)
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    for (;;) {
      const parts = await this.receive(signal)
      const event = this.#take(stream, parts)
      if (event !== undefined) return event
    }
  }

  /**
   * The frame number of a sequence: its `seqno` counted from the run's first sequence, or
   * `undefined` (arrival order) without one. A `seqno` below the first gives a negative number,
   * which the ingester drops as a repeat.
   */
  #frameOf(seqno: number | undefined): number | undefined {
    if (seqno === undefined) return undefined
    this.#firstSeqno ??= seqno
    return seqno - this.#firstSeqno
  }

  /** Add one message; the event it completes, if any. */
  #take(stream: StreamName, parts: readonly Uint8Array[]): UpstreamMessage | undefined {
    const part = classifyLecroy(parts)
    if (this.phase === 'waiting') {
      if (part.kind === 'prepare') {
        this.phase = 'series'
        return { kind: 'start', parts }
      }
      this.countStale()
      return undefined
    }
    switch (part.kind) {
      case 'seq-start':
        if (this.#sequence.length > 0) {
          this.context.onInvalid(stream, 'LeCroy sequence cut short by the next sequence start')
          this.#sequence = []
        }
        // The seed heads every later event: a copy of its own, never the received parts, whose
        // memory the ingester reuses once the first event is done with them.
        if (this.#seed === undefined && part.continuous) {
          this.#seed = parts.map((p) => Buffer.from(p))
        }
        this.#seqno = part.continuous ? undefined : part.seqno
        this.#sequence.push(...parts)
        return undefined
      case 'traces':
      case 'seq-end': {
        if (this.#sequence.length === 0) {
          if (this.#seed === undefined) {
            this.context.onInvalid(
              stream,
              `LeCroy ${part.kind} outside a sequence (no sequence start)`,
            )
            return undefined
          }
          this.#sequence.push(...this.#seed)
        }
        this.#sequence.push(...parts)
        if (part.kind === 'traces') return undefined
        const event = this.#sequence
        this.#sequence = []
        const frame = this.#frameOf(this.#seqno)
        this.#seqno = undefined
        return { kind: 'data', frame, parts: event }
      }
      case 'stop':
        if (this.#sequence.length > 0) {
          this.context.onInvalid(stream, 'LeCroy sequence cut short by stop (no sequence end)')
          this.#sequence = []
        }
        this.phase = 'ended'
        return { kind: 'end', parts }
      case 'prepare':
        this.context.onInvalid(stream, 'LeCroy prepare within a run (no stop before it)')
        return undefined
      case 'invalid':
        this.context.onInvalid(stream, part.reason)
        return undefined
    }
  }
}

/** A field of a parsed JSON value, if it is an object. */
function fieldOf(json: unknown, key: string): unknown {
  return typeof json === 'object' && json !== null ? Reflect.get(json, key) : undefined
}

/**
 * The LeCroy device type for `createIngester`: frames travel with `typ` `lecroy_9fwdWp6Rq7`
 * (Dranspose's), and each scan opens a SUB to `options.url`.
 */
export function createLecroyUpstreamFactory(options: LecroyUpstreamOptions): UpstreamFactory {
  return {
    typOf: () => LECROY_TYP,
    create: (context) => new LecroyUpstream(options, context),
  }
}
