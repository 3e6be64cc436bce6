import { describe, expect, it } from 'vitest'
import { mergeByEvent } from '../../../cli/replay/merge-by-event.js'
import { eventNumber, type WorkerMessage } from '../../../src/internal.js'

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

  it('replays event numbers that go back in file order, warning once', async () => {
    const back = source([
      msg(3, 'a'),
      msg(4, 'a'),
      msg(2, 'a'),
      msg(2, 'b'),
      msg(1, 'a'),
      msg(5, 'a'),
    ])
    const warnings: string[] = []
    const events = await collect(
      mergeByEvent([{ name: 'r', messages: back.messages }], {
        onWarning: (m) => warnings.push(m),
      }),
    )
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [3, ['a']],
      [4, ['a']],
      [2, ['a', 'b']],
      [1, ['a']],
      [5, ['a']],
    ])
    expect(warnings).toEqual([
      'r: event 2 comes after event 4; replaying in file order (further ones are not reported)',
    ])
    expect(back.closed()).toBe(true)
  })

  it('starts another event when a message repeats a stream of its event (as Dranspose replays)', async () => {
    // Dranspose's HDF5 example gives its series end the number of the last image.
    const dup = source([msg(0, 'a'), msg(1, 'a'), msg(1, 'b', 'a'), msg(1, 'a'), msg(2, 'a')])
    const warnings: string[] = []
    const events = await collect(
      mergeByEvent([{ name: 'r', messages: dup.messages }], {
        onWarning: (m) => warnings.push(m),
      }),
    )
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [0, ['a']],
      [1, ['a']],
      [1, ['a', 'b']],
      [1, ['a']],
      [2, ['a']],
    ])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^r: stream 'a' appears twice in event 1; /)
    expect(dup.closed()).toBe(true)
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
