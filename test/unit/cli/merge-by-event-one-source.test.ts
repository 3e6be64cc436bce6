import { describe, expect, it } from 'vitest'
import { mergeByEvent } from '../../../cli/replay/merge-by-event.js'
import { eventNumber, type WorkerMessage } from '../../../src/index.js'

function msg(n: number, ...streams: string[]): WorkerMessage {
  return {
    eventNumber: eventNumber(n),
    streams: Object.fromEntries(
      streams.map((s) => [s, { typ: 'T', frames: [new Uint8Array([n])] }]),
    ),
  }
}

/** Serves `msgs` and records whether it was closed. */
function source(msgs: WorkerMessage[]): {
  messages: AsyncIterable<WorkerMessage>
  closed: () => boolean
} {
  let closed = false
  async function* gen(): AsyncGenerator<WorkerMessage> {
    try {
      yield* msgs
    } finally {
      closed = true
    }
  }
  return { messages: gen(), closed: () => closed }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('merging one recording into events', () => {
  it('joins consecutive messages of one event and keeps each stream’s frames', async () => {
    const s = source([
      msg(0, 'a'),
      msg(0, 'b', 'c'),
      msg(1, 'a'),
      msg(2, 'a'),
      msg(2, 'b'),
      msg(5, 'c'),
    ])
    const events = await collect(mergeByEvent([{ name: 'one', messages: s.messages }]))
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [0, ['a', 'b', 'c']],
      [1, ['a']],
      [2, ['a', 'b']],
      [5, ['c']],
    ])
    expect(events[2]?.streams.b?.frames[0]).toEqual(new Uint8Array([2]))
    expect(s.closed()).toBe(true)
  })

  it('refuses a stream twice in one event and an event out of order, closing the source', async () => {
    const dup = source([msg(0, 'a'), msg(1, 'a'), msg(1, 'b', 'a')])
    await expect(collect(mergeByEvent([{ name: 'r', messages: dup.messages }]))).rejects.toThrow(
      "r: stream 'a' appears twice in event 1",
    )
    expect(dup.closed()).toBe(true)
    const back = source([msg(3, 'a'), msg(4, 'a'), msg(2, 'a')])
    await expect(collect(mergeByEvent([{ name: 'r', messages: back.messages }]))).rejects.toThrow(
      'r: event 2 comes after event 4; recordings must be in event order',
    )
    expect(back.closed()).toBe(true)
  })

  it('closes the source when the reader stops early, and ends an empty one', async () => {
    const s = source([msg(0, 'a'), msg(1, 'a'), msg(2, 'a')])
    for await (const e of mergeByEvent([{ name: 'r', messages: s.messages }])) {
      if (e.eventNumber === 0) break
    }
    expect(s.closed()).toBe(true)
    expect(await collect(mergeByEvent([{ name: 'r', messages: source([]).messages }]))).toEqual([])
  })
})
