import type { EventData, StreamData, WorkerMessage } from '../../src/analysis-runtime.js'
import { ProtocolError } from '../../src/analysis-runtime.js'

/** A recording (or any source of worker messages) to merge. */
export interface MergeSource {
  readonly name: string
  readonly messages: AsyncIterable<WorkerMessage>
}

/** Options of {@link mergeByEvent}. */
export interface MergeOptions {
  /**
   * A source whose event numbers do not increase: the first time per source that an event
   * number goes back, and the first time a message repeats a stream of the event it would join.
   */
  readonly onWarning?: (message: string) => void
}

interface Head {
  readonly source: string
  readonly it: AsyncIterator<WorkerMessage>
  readonly order: OrderWatch
  msg: WorkerMessage | undefined
}

/**
 * Merge several recordings into whole events: every message with the lowest event number
 * among the sources' next messages joins one event (Dranspose's replay takes the same rule).
 * Consecutive messages of one source with the same number join too (two ingesters recorded
 * together), unless a message repeats a stream the event already has from that source: it
 * starts the next event, with the same number.
 *
 * Event numbers need not increase: a source is read in file order, and a number that goes
 * back is replayed where it stands (Dranspose does the same), with one warning per source.
 * A stream given by two sources in one event is an error (rejected by `next`, after which the
 * sources are closed). Ending the iteration early (`return`, e.g. a `break` out of
 * `for await`) closes every source.
 *
 * A hand-written iterator rather than an async generator: replay pulls one event per
 * `next()`, and an event that is one message keeps that message's `streams` object, so the
 * merge adds one promise and one small object per event.
 * @throws ProtocolError (from `next`) on a stream given by two sources in one event.
 */
export function mergeByEvent(
  sources: readonly MergeSource[],
  options: MergeOptions = {},
): AsyncIterableIterator<EventData, undefined> {
  const only = sources.length === 1 ? sources[0] : undefined
  return only === undefined ? new EventMerger(sources, options) : new OneSourceEvents(only, options)
}

/** Notices, once per source each, event numbers that go back and streams repeated in an event. */
class OrderWatch {
  #last = Number.NEGATIVE_INFINITY
  #warnedOrder = false
  #warnedRepeat = false

  constructor(
    private readonly source: string,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /** A message was read. */
  read(eventNumber: number): void {
    if (eventNumber < this.#last && !this.#warnedOrder) {
      this.#warnedOrder = true
      this.onWarning?.(
        `${this.source}: event ${eventNumber} comes after event ${this.#last}; replaying in file order (further ones are not reported)`,
      )
    }
    this.#last = eventNumber
  }

  /** A message repeats a stream of the event it would join. */
  repeated(stream: string, eventNumber: number): void {
    if (this.#warnedRepeat) return
    this.#warnedRepeat = true
    this.onWarning?.(
      `${this.source}: stream '${stream}' appears twice in event ${eventNumber}; the second starts another event ${eventNumber} (further ones are not reported)`,
    )
  }
}

/** A stream of `more` that `into` already has, if any. */
function sharedStream(
  into: Readonly<Record<string, StreamData>>,
  more: Readonly<Record<string, StreamData>>,
): string | undefined {
  for (const name of Object.keys(more)) if (Object.hasOwn(into, name)) return name
  return undefined
}

/**
 * The common case of one recording: consecutive messages with one event number join. One
 * async call and one read of the source per message.
 */
class OneSourceEvents implements AsyncIterableIterator<EventData, undefined> {
  readonly #it: AsyncIterator<WorkerMessage>
  readonly #order: OrderWatch
  /** The message read ahead: the first of the next event. */
  #ahead: WorkerMessage | undefined
  #started = false
  #closed = false

  constructor(source: MergeSource, options: MergeOptions) {
    this.#it = source.messages[Symbol.asyncIterator]()
    this.#order = new OrderWatch(source.name, options.onWarning)
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<EventData, undefined>> {
    if (this.#closed) return { done: true, value: undefined }
    try {
      if (!this.#started) {
        this.#started = true
        this.#ahead = this.#read(await this.#it.next())
      }
      const first = this.#ahead
      if (first === undefined) {
        await this.return()
        return { done: true, value: undefined }
      }
      const eventNumber = first.eventNumber
      let streams = first.streams
      let copied: Record<string, StreamData> | undefined
      for (;;) {
        const msg = this.#read(await this.#it.next())
        if (msg === undefined || msg.eventNumber !== eventNumber) {
          this.#ahead = msg
          break
        }
        const repeated = sharedStream(streams, msg.streams)
        if (repeated !== undefined) {
          this.#order.repeated(repeated, eventNumber)
          this.#ahead = msg
          break
        }
        copied ??= { ...streams }
        Object.assign(copied, msg.streams)
        streams = copied
      }
      return { done: false, value: { eventNumber, streams } }
    } catch (err) {
      await this.return()
      throw err
    }
  }

  async return(): Promise<IteratorResult<EventData, undefined>> {
    if (!this.#closed) {
      this.#closed = true
      await this.#it.return?.()
    }
    return { done: true, value: undefined }
  }

  #read(next: IteratorResult<WorkerMessage>): WorkerMessage | undefined {
    if (next.done) return undefined
    this.#order.read(next.value.eventNumber)
    return next.value
  }
}

class EventMerger implements AsyncIterableIterator<EventData, undefined> {
  readonly #heads: Head[]
  #started = false
  #closed = false

  constructor(sources: readonly MergeSource[], options: MergeOptions) {
    this.#heads = sources.map((s) => ({
      source: s.name,
      it: s.messages[Symbol.asyncIterator](),
      order: new OrderWatch(s.name, options.onWarning),
      msg: undefined,
    }))
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<EventData, undefined>> {
    if (this.#closed) return { done: true, value: undefined }
    const heads = this.#heads
    try {
      if (!this.#started) {
        this.#started = true
        await Promise.all(heads.map(advance))
      }
      let lowest: WorkerMessage | undefined
      for (const h of heads) {
        if (h.msg && (lowest === undefined || h.msg.eventNumber < lowest.eventNumber))
          lowest = h.msg
      }
      if (lowest === undefined) {
        await this.#close()
        return { done: true, value: undefined }
      }
      const eventNumber = lowest.eventNumber
      // The first message's streams as they are; a copy only once a second message joins.
      let streams: Readonly<Record<string, StreamData>> | undefined
      let copied: Record<string, StreamData> | undefined
      for (const h of heads) {
        // This source's streams in this event (a repeat of one starts the next event).
        const own = new Set<string>()
        while (h.msg !== undefined && h.msg.eventNumber === eventNumber) {
          const more = h.msg.streams
          const repeated = Object.keys(more).find((s) => own.has(s))
          if (repeated !== undefined) {
            h.order.repeated(repeated, eventNumber)
            break
          }
          if (streams === undefined) {
            streams = more
          } else {
            const clash = sharedStream(streams, more)
            if (clash !== undefined) {
              throw new ProtocolError(
                `${h.source}: stream '${clash}' appears twice in event ${eventNumber} (another recording has it too)`,
              )
            }
            copied ??= { ...streams }
            Object.assign(copied, more)
            streams = copied
          }
          for (const s of Object.keys(more)) own.add(s)
          await advance(h)
        }
      }
      return { done: false, value: { eventNumber, streams: streams ?? {} } }
    } catch (err) {
      await this.#close()
      throw err
    }
  }

  async return(): Promise<IteratorResult<EventData, undefined>> {
    await this.#close()
    return { done: true, value: undefined }
  }

  async #close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(this.#heads.map((h) => h.it.return?.()))
  }
}

async function advance(h: Head): Promise<void> {
  const next = await h.it.next()
  h.msg = next.done ? undefined : next.value
  if (h.msg !== undefined) h.order.read(h.msg.eventNumber)
}
