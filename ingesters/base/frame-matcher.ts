import type { StreamName } from '../../src/internal.js'
import type { ReadFrame } from './forward-plan.js'
import type { UpstreamMessage } from './upstream.js'

/**
 * What the event at one position of a stream gets: the parts of its message, or
 * `{ missing: reason }` when its frame never came from the device (the reason names it).
 */
export type FrameOutcome = ReadFrame

/** Counters a {@link FrameMatcher} keeps (a stream's counters in the ingester). */
export interface MatchCounters {
  /** Frames dropped because their position was already served (a repeated frame number). */
  duplicates: number
  /** Events whose frame never came (a gap in the numbering, or a series that ended early). */
  missing: number
  /** Frames dropped because the scan has no event for them (the series is longer than the map). */
  surplus: number
}

/** Options of {@link FrameMatcher}. */
export interface FrameMatcherOptions {
  readonly stream: StreamName
  /**
   * How many events of the scan read this stream (the map's non-`null` entries, wrap included):
   * position 0 takes the series' start, the last position its end, the ones between its data
   * frames in order.
   */
  readonly frames: number
  readonly counters: MatchCounters
  /** A duplicate, a gap or a surplus frame, said for operators (the caller rate-limits). */
  readonly onNotice: (kind: 'duplicate' | 'gap' | 'surplus', message: string) => void
}

/**
 * Matches one stream's upstream messages to the positions of the events that read the stream,
 * by what the messages say they are rather than by arrival order. Position 0 of the stream's
 * events takes the series' start, the last position its end, and position `1 + k` the data
 * frame numbered `k` (or the k-th data frame to arrive, for protocols that number nothing). A
 * frame whose position was served already is a duplicate and dropped; a frame beyond the
 * data positions has no event and is dropped; a frame that jumps ahead leaves the positions in
 * between `missing` and is held for its own. Pure: the caller reads the device.
 *
 * ```ts
 * let frame = matcher.take(position)
 * while (frame === undefined) frame = matcher.offer(position, await upstream.next(stream, signal))
 * ```
 */
export class FrameMatcher {
  readonly #o: FrameMatcherOptions
  readonly #last: number
  #held: { readonly at: number; readonly message: UpstreamMessage } | undefined
  #arrived = 0

  constructor(options: FrameMatcherOptions) {
    this.#o = options
    this.#last = options.frames - 1
  }

  /** Whether a message is held for a later position ({@link take} answers without reading). */
  get holding(): boolean {
    return this.#held !== undefined
  }

  /**
   * The outcome for `position` from the message held, if one is: the held message when it is
   * that position's, `missing` when it belongs further on. `undefined`: read a message and
   * {@link offer} it. Positions are asked in ascending order.
   */
  take(position: number): FrameOutcome | undefined {
    const held = this.#held
    if (held === undefined) return undefined
    if (held.at === position) {
      this.#held = undefined
      return held.message.parts
    }
    if (held.at > position) return this.#missing(position, held.at)
    // Positions were skipped past the held message (cannot happen when asked in order).
    this.#held = undefined
    return undefined
  }

  /**
   * Place one message read while `position` waits. Resolves the outcome for `position` (the
   * message's parts, or `missing` when the message belongs further on and is now held), or
   * `undefined` when the message was dropped (a duplicate or a surplus frame): read another.
   */
  offer(position: number, message: UpstreamMessage): FrameOutcome | undefined {
    const at = this.#positionOf(message)
    if (at === undefined) {
      this.#o.counters.surplus++
      this.#o.onNotice(
        'surplus',
        `stream '${this.#o.stream}': ${describe(message)} has no event in this scan (the scan reads ${Math.max(0, this.#last - 1)} data frames of this stream); dropped`,
      )
      return undefined
    }
    if (at < position) {
      this.#o.counters.duplicates++
      this.#o.onNotice(
        'duplicate',
        `stream '${this.#o.stream}': ${describe(message)} came again (or late, after the events that follow it); dropped`,
      )
      return undefined
    }
    if (at === position) return message.parts
    this.#held = { at, message }
    const missing = this.#missing(position, at)
    const gap =
      at - position === 1
        ? this.#name(position)
        : `${this.#name(position)} to ${this.#name(at - 1)} (${at - position} frames)`
    this.#o.onNotice(
      'gap',
      `stream '${this.#o.stream}': ${gap} never came from the device (${this.#next(at)}); their events fail with FRAME_MISSING`,
    )
    return missing
  }

  #missing(position: number, heldAt: number): FrameOutcome {
    this.#o.counters.missing++
    return { missing: `${this.#name(position)} never came from the device (${this.#next(heldAt)})` }
  }

  /** The position `message` belongs at, or `undefined` when no event of the scan takes it. */
  #positionOf(message: UpstreamMessage): number | undefined {
    if (message.kind === 'start') return 0
    if (message.kind === 'end') return this.#last >= 1 ? this.#last : undefined
    const frame = message.frame ?? this.#arrived
    this.#arrived = frame + 1
    const at = 1 + frame
    return at < this.#last ? at : undefined
  }

  #name(position: number): string {
    if (position === 0) return 'the series start'
    if (position === this.#last) return 'the series end'
    return `frame ${position - 1}`
  }

  #next(at: number): string {
    return at === this.#last ? 'the series ended first' : `the next was frame ${at - 1}`
  }
}

function describe(message: UpstreamMessage): string {
  if (message.kind === 'start') return 'a second series start'
  if (message.kind === 'end') return 'a series end'
  return message.frame === undefined ? 'a data frame' : `frame ${message.frame}`
}
