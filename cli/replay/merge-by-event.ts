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
 * error.
 * @throws ProtocolError on an out-of-order source or a duplicate stream.
 */
export async function* mergeByEvent(
  sources: readonly { name: string; messages: AsyncIterable<WorkerMessage> }[],
): AsyncGenerator<EventData> {
  const heads: Head[] = sources.map((s) => ({
    source: s.name,
    it: s.messages[Symbol.asyncIterator](),
    msg: undefined,
    lastEvent: -1,
  }))
  const advance = async (h: Head): Promise<void> => {
    const next = await h.it.next()
    h.msg = next.done ? undefined : next.value
    if (h.msg !== undefined) {
      if (h.msg.eventNumber < h.lastEvent) {
        throw new ProtocolError(
          `${h.source}: event ${h.msg.eventNumber} comes after event ${h.lastEvent}; recordings must be in event order`,
        )
      }
      h.lastEvent = h.msg.eventNumber
    }
  }
  try {
    await Promise.all(heads.map(advance))
    for (;;) {
      let lowest: WorkerMessage | undefined
      for (const h of heads) {
        if (h.msg && (lowest === undefined || h.msg.eventNumber < lowest.eventNumber))
          lowest = h.msg
      }
      if (lowest === undefined) return
      const eventNumber = lowest.eventNumber
      const streams: Record<string, StreamData> = {}
      for (const h of heads) {
        // One source may hold several messages of one event (e.g. two ingesters recorded together).
        while (h.msg !== undefined && h.msg.eventNumber === eventNumber) {
          for (const [name, data] of Object.entries(h.msg.streams)) {
            if (name in streams) {
              throw new ProtocolError(
                `${h.source}: stream '${name}' appears twice in event ${eventNumber}`,
              )
            }
            streams[name] = data
          }
          await advance(h)
        }
      }
      yield { eventNumber, streams }
    }
  } finally {
    await Promise.all(heads.map((h) => h.it.return?.()))
  }
}
