import { LECROY_TYP, type StreamName } from '../../src/index.js'
import type { UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createLecroyUpstreamFactory}. */
export interface LecroyUpstreamOptions extends ZmqUpstreamOptions {
  /** The scope bridge's PUB endpoint, e.g. `tcp://scope:22004`. */
  readonly url: string
}

/** What the first part of a LeCroy message says it is. */
type LecroyPart =
  | { readonly kind: 'prepare' | 'seq-start' | 'seq-end' | 'stop' | 'traces' }
  | { readonly kind: 'invalid'; readonly reason: string }

const utf8 = new TextDecoder('utf-8', { fatal: true })
const WHAT = ['prepare', 'seq-start', 'seq-end', 'stop'] as const

/** Classify a message by its first part (small JSON); the rest is left to the parser. */
function classify(first: Uint8Array | undefined): LecroyPart {
  if (first === undefined || first.length > 65_536 || first[0] !== 0x7b) {
    return { kind: 'invalid', reason: 'LeCroy message whose first part is not a JSON object' }
  }
  let json: unknown
  try {
    json = JSON.parse(utf8.decode(first))
  } catch {
    return { kind: 'invalid', reason: 'LeCroy message whose first part is not valid JSON' }
  }
  const htype = fieldOf(json, 'htype')
  const what = fieldOf(json, 'what')
  if (htype === 'traces') return { kind: 'traces' }
  const kind = typeof what === 'number' ? WHAT[what] : undefined
  if (kind !== undefined && (htype === 'msg' || htype === undefined)) return { kind }
  return {
    kind: 'invalid',
    reason: `LeCroy message with htype ${JSON.stringify(htype)} and what ${JSON.stringify(what)}`,
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
 * A message that is not one of these, or a sequence the stop cut short, is counted as invalid.
 */
class LecroyUpstream extends ZmqUpstream {
  /** The parts of the sequence being joined (kept across aborted calls). */
  #sequence: Uint8Array[] = []
  /** Continuous mode: the first sequence start, repeated at the head of every event. */
  #seed: readonly Uint8Array[] | undefined

  constructor(options: LecroyUpstreamOptions, context: UpstreamContext) {
    super(LECROY, options, context)
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      const parts = await this.receive(signal)
      const event = this.#take(stream, parts)
      if (event !== undefined) return event
    }
  }

  /** Add one message; the event it completes, if any. */
  #take(stream: StreamName, parts: readonly Uint8Array[]): readonly Uint8Array[] | undefined {
    const part = classify(parts[0])
    if (this.phase === 'waiting') {
      if (part.kind === 'prepare') {
        this.phase = 'series'
        return parts
      }
      this.countStale()
      return undefined
    }
    switch (part.kind) {
      case 'seq-start':
        if (this.#seed === undefined && isContinuous(parts[0])) this.#seed = parts
        this.#sequence.push(...parts)
        return undefined
      case 'traces':
        if (this.#sequence.length === 0 && this.#seed !== undefined) {
          this.#sequence.push(...this.#seed)
        }
        this.#sequence.push(...parts)
        return undefined
      case 'seq-end': {
        if (this.#sequence.length === 0 && this.#seed !== undefined) {
          this.#sequence.push(...this.#seed)
        }
        this.#sequence.push(...parts)
        const event = this.#sequence
        this.#sequence = []
        return event
      }
      case 'stop':
        if (this.#sequence.length > 0) {
          this.context.onInvalid(stream, 'LeCroy sequence cut short by stop (no sequence end)')
          this.#sequence = []
        }
        this.phase = 'ended'
        return parts
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

function isContinuous(first: Uint8Array | undefined): boolean {
  try {
    return fieldOf(JSON.parse(utf8.decode(first)), 'ntriggers') === -1
  } catch {
    // Not JSON: classify() already accepted it as a sequence start, so it is; not continuous.
    return false
  }
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
