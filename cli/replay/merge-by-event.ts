import type { EventData, StreamData, WorkerMessage } from '../../src/index.js'
import { ProtocolError } from '../../src/index.js'

interface Head {
  readonly source: string
  readonly it: AsyncIterator<WorkerMessage>
  msg: WorkerMessage | undefined
  lastEvent: number
}

/**
 * Merge several recordings into whole events, in event-number order: every message with the
 * lowest event number across the sources joins one event (Dranspose's replay does the same).
 * Each source must be in non-decreasing event order; a stream named twice in one event is an
 * error (rejected by `next`, after which the sources are closed). Ending the iteration early
 * (`return`, e.g. a `break` out of `for await`) closes every source.
 *
 * A hand-written iterator rather than an async generator: replay pulls one event per
 * `next()`, and an event that is one message keeps that message's `streams` object, so the
 * merge adds one promise and one small object per event.
 * @throws ProtocolError (from `next`) on an out-of-order source or a duplicate stream.
 */
export function mergeByEvent(
  sources: readonly { name: string; messages: AsyncIterable<WorkerMessage> }[],
): AsyncIterableIterator<EventData, undefined> {
  const only = sources.length === 1 ? sources[0] : undefined
  return only === undefined ? new EventMerger(sources) : new OneSourceEvents(only)
}

/**
 * The common case of one recording: consecutive messages with one event number join. One
 * async call and one read of the source per message.
 */
class OneSourceEvents implements AsyncIterableIterator<EventData, undefined> {
  readonly #name: string
  readonly #it: AsyncIterator<WorkerMessage>
  /** The message read ahead: the first of the next event. */
  #ahead: WorkerMessage | undefined
  #lastEvent = -1
  #started = false
  #closed = false

  constructor(source: { name: string; messages: AsyncIterable<WorkerMessage> }) {
    this.#name = source.name
    this.#it = source.messages[Symbol.asyncIterator]()
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async next(): Promise<IteratorResult<EventData, undefined>> {
    if (this.#closed) return { done: true, value: undefined }
    try {
      if (!this.#started) {
        this.#started = true
        this.#ahead = this.#checked(await this.#it.next())
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
        const msg = this.#checked(await this.#it.next())
        if (msg === undefined || msg.eventNumber !== eventNumber) {
          this.#ahead = msg
          break
        }
        copied ??= { ...streams }
        joinStreams(copied, msg.streams, this.#name, eventNumber)
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

  #checked(next: IteratorResult<WorkerMessage>): WorkerMessage | undefined {
    if (next.done) return undefined
    const msg = next.value
    checkOrder(this.#name, msg.eventNumber, this.#lastEvent)
    this.#lastEvent = msg.eventNumber
    return msg
  }
}

/** @throws ProtocolError when `more` names a stream `into` already has. */
function joinStreams(
  into: Record<string, StreamData>,
  more: Readonly<Record<string, StreamData>>,
  source: string,
  eventNumber: number,
): void {
  for (const name of Object.keys(more)) {
    if (Object.hasOwn(into, name)) {
      throw new ProtocolError(`${source}: stream '${name}' appears twice in event ${eventNumber}`)
    }
    into[name] = more[name] as StreamData
  }
}

/** @throws ProtocolError when a source goes back in event order. */
function checkOrder(source: string, eventNumber: number, lastEvent: number): void {
  if (eventNumber < lastEvent) {
    throw new ProtocolError(
      `${source}: event ${eventNumber} comes after event ${lastEvent}; recordings must be in event order`,
    )
  }
}

class EventMerger implements AsyncIterableIterator<EventData, undefined> {
  readonly #heads: Head[]
  #started = false
  #closed = false

  constructor(sources: readonly { name: string; messages: AsyncIterable<WorkerMessage> }[]) {
    this.#heads = sources.map((s) => ({
      source: s.name,
      it: s.messages[Symbol.asyncIterator](),
      msg: undefined,
      lastEvent: -1,
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
        // One source may hold several messages of one event (e.g. two ingesters recorded together).
        while (h.msg !== undefined && h.msg.eventNumber === eventNumber) {
          const more = h.msg.streams
          if (streams === undefined) {
            streams = more
          } else {
            copied ??= { ...streams }
            joinStreams(copied, more, h.source, eventNumber)
            streams = copied
          }
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
  if (h.msg !== undefined) {
    checkOrder(h.source, h.msg.eventNumber, h.lastEvent)
    h.lastEvent = h.msg.eventNumber
  }
}
