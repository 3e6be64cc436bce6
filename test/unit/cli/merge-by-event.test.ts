import { describe, expect, it } from 'vitest'
import { mergeByEvent } from '../../../cli/replay/merge-by-event.js'
import { eventNumber, type WorkerMessage } from '../../../src/internal.js'

function msg(n: number, stream: string): WorkerMessage {
  return {
    eventNumber: eventNumber(n),
    streams: { [stream]: { typ: 'T', frames: [new Uint8Array([n])] } },
  }
}

async function* from(msgs: WorkerMessage[]): AsyncGenerator<WorkerMessage> {
  yield* msgs
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('merging recordings by event number', () => {
  it('joins the streams of equal event numbers and keeps events that only one source has', async () => {
    const events = await collect(
      mergeByEvent([
        { name: 'a', messages: from([msg(0, 'a'), msg(1, 'a'), msg(3, 'a')]) },
        { name: 'b', messages: from([msg(0, 'b'), msg(2, 'b'), msg(3, 'b')]) },
      ]),
    )
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [0, ['a', 'b']],
      [1, ['a']],
      [2, ['b']],
      [3, ['a', 'b']],
    ])
  })

  it('refuses a stream that two recordings give in one event', async () => {
    await expect(
      collect(
        mergeByEvent([
          { name: 'a', messages: from([msg(0, 'x')]) },
          { name: 'b', messages: from([msg(0, 'x')]) },
        ]),
      ),
    ).rejects.toThrow("b: stream 'x' appears twice in event 0 (another recording has it too)")
  })

  it('replays a source whose numbers go back in its file order, merged with the others', async () => {
    const warnings: string[] = []
    const events = await collect(
      mergeByEvent(
        [
          { name: 'a', messages: from([msg(0, 'a'), msg(2, 'a'), msg(1, 'a'), msg(3, 'a')]) },
          { name: 'b', messages: from([msg(0, 'b'), msg(1, 'b'), msg(2, 'b'), msg(3, 'b')]) },
        ],
        { onWarning: (m) => warnings.push(m) },
      ),
    )
    // The lowest next number goes first; `a`'s own order is kept.
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [0, ['a', 'b']],
      [1, ['b']],
      [2, ['a', 'b']],
      [1, ['a']],
      [3, ['a', 'b']],
    ])
    expect(warnings).toEqual([
      'a: event 1 comes after event 2; replaying in file order (further ones are not reported)',
    ])
  })

  it('gives a repeated stream of one recording its own event, with the same number', async () => {
    const warnings: string[] = []
    const events = await collect(
      mergeByEvent(
        [
          { name: 'a', messages: from([msg(0, 'a'), msg(0, 'a'), msg(1, 'a')]) },
          { name: 'b', messages: from([msg(0, 'b'), msg(1, 'b')]) },
        ],
        { onWarning: (m) => warnings.push(m) },
      ),
    )
    expect(events.map((e) => [e.eventNumber, Object.keys(e.streams).sort()])).toEqual([
      [0, ['a', 'b']],
      [0, ['a']],
      [1, ['a', 'b']],
    ])
    expect(warnings).toHaveLength(1)
  })
})
