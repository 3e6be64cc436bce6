import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { eventNumber, ScanId, workerName } from '../../../src/internal.js'
import { slot } from '../../../src/protocol/data-plane.js'
import type { EventBatch } from '../../../src/protocol/data-plane-event-batch.js'
import type { AssignmentEntry, RouteTuple } from '../../../src/protocol/scan-messages.js'
import { EventAssembler, type ReadyEvent } from '../../../workers/event-assembler.js'

const scan = ScanId.parse('s1')
const me = workerName('w1')
const other = workerName('w2')

function entry(
  partial: Partial<AssignmentEntry> & Pick<AssignmentEntry, 'routes'>,
): AssignmentEntry {
  return {
    seq: 0,
    released: [0, 0],
    rerouted: [],
    slots: [],
    workerSlots: {},
    completedFrontier: 0,
    ...partial,
  }
}

function route(from: number, to: number, workers: string[] | null): RouteTuple {
  return [from, to, workers === null ? null : workers.map(workerName)]
}

/** A batch with one frame per (event, stream); the frame's first byte is the event number. */
function batch(events: number[], streams: string[], batchSlot = 0): EventBatch {
  return {
    scan,
    events: events.map((e) => ({
      eventNumber: eventNumber(e),
      slot: slot(batchSlot),
      streams: Object.fromEntries(
        streams.map((s) => [s, { typ: 'STINS', frames: [new Uint8Array([e])] }]),
      ),
    })),
  }
}

function drain(a: EventAssembler): ReadyEvent[] {
  const out: ReadyEvent[] = []
  for (let r = a.takeReady(); r !== undefined; r = a.takeReady()) out.push(r)
  return out
}

describe('EventAssembler', () => {
  it('an event is ready when every stream routed to this worker has arrived', () => {
    const a = new EventAssembler(me)
    const out = a.applyEntry(
      entry({
        released: [0, 3],
        routes: { a: [route(0, 3, ['w1'])], b: [route(0, 2, ['w1']), route(2, 3, ['w2'])] },
        workerSlots: { w1: 4, w2: 5 },
      }),
    )
    expect(out).toEqual({ expected: 3, reroutedAway: 0, stale: 0 })
    expect(a.addBatch(batch([0, 1, 2], ['a']))).toBe(1) // event 2 needs only `a`
    expect(drain(a).map((r) => r.eventNumber)).toEqual([2])
    expect(a.addBatch(batch([1], ['b']))).toBe(1)
    expect(a.addBatch(batch([0], ['b']))).toBe(1)
    const ready = drain(a)
    expect(ready.map((r) => [r.eventNumber, r.slot, Object.keys(r.streams).sort()])).toEqual([
      [0, 4, ['a', 'b']],
      [1, 4, ['a', 'b']],
    ])
    expect(a.pendingCount).toBe(0)
  })

  it('frames that arrive before their entry wait for it; the frames are the same objects', () => {
    const a = new EventAssembler(me)
    const b = batch([7], ['a'])
    expect(a.addBatch(b)).toBe(0)
    expect(a.takeReady()).toBeUndefined()
    a.applyEntry(
      entry({ released: [7, 8], routes: { a: [route(7, 8, ['w1'])] }, workerSlots: { w1: 1 } }),
    )
    const [ready] = drain(a)
    expect(ready?.eventNumber).toBe(7)
    expect(ready?.streams.a).toBe(b.events[0]!.streams.a)
  })

  it('ignores events routed to others, `null` and `[]` routes', () => {
    const a = new EventAssembler(me)
    const out = a.applyEntry(
      entry({
        released: [0, 3],
        routes: { a: [route(0, 1, ['w2']), route(1, 2, null), route(2, 3, [])] },
      }),
    )
    expect(out.expected).toBe(0)
    expect(a.pendingCount).toBe(0)
  })

  it('slot overrides win over the own slot; the own slot comes from workerSlots', () => {
    const a = new EventAssembler(me)
    a.applyEntry(
      entry({
        released: [0, 4],
        routes: { a: [route(0, 4, ['w1'])] },
        workerSlots: { w1: 2 },
        slots: [
          [1, 3, me, 9],
          [0, 4, other, 7],
        ],
      }),
    )
    a.addBatch(batch([0, 1, 2, 3], ['a'], 99))
    expect(drain(a).map((r) => r.slot)).toEqual([2, 9, 9, 2])
    expect(a.ownSlot).toBe(2)
  })

  it('hands ready events out lowest first', () => {
    const a = new EventAssembler(me)
    a.applyEntry(entry({ released: [0, 6], routes: { a: [route(0, 6, ['w1'])] } }))
    a.addBatch(batch([5, 3], ['a']))
    a.addBatch(batch([4, 0, 1], ['a']))
    expect(drain(a).map((r) => r.eventNumber)).toEqual([0, 1, 3, 4, 5])
  })

  it('a re-sent event already processed comes back once as a duplicate with its slot', () => {
    const a = new EventAssembler(me)
    a.applyEntry(
      entry({ released: [0, 2], routes: { a: [route(0, 2, ['w1'])] }, workerSlots: { w1: 3 } }),
    )
    a.addBatch(batch([0, 1], ['a']))
    expect(drain(a).map((r) => r.duplicate)).toEqual([false, false])
    // The controller re-routes event 1 to this worker again; the ingester re-sends it.
    a.applyEntry(entry({ seq: 1, rerouted: [[1, 2]], routes: { a: [route(1, 2, ['w1'])] } }))
    a.addBatch(batch([1], ['a'], 8))
    const again = drain(a)
    expect(again.map((r) => [r.eventNumber, r.slot, r.duplicate])).toEqual([[1, 3, true]])
  })

  it('a stream sent twice for one event counts once', () => {
    const a = new EventAssembler(me)
    a.applyEntry(
      entry({ released: [0, 1], routes: { a: [route(0, 1, ['w1'])], b: [route(0, 1, ['w1'])] } }),
    )
    a.addBatch(batch([0], ['a']))
    a.addBatch(batch([0], ['a']))
    expect(a.takeReady()).toBeUndefined()
    a.addBatch(batch([0], ['b']))
    expect(drain(a)).toHaveLength(1)
  })

  it('re-routed away: the event leaves this worker and is counted', () => {
    const a = new EventAssembler(me)
    a.applyEntry(entry({ released: [0, 4], routes: { a: [route(0, 4, ['w1'])] } }))
    a.addBatch(batch([2], ['a'])) // 2 is ready but not taken yet
    const out = a.applyEntry(
      entry({ seq: 1, rerouted: [[1, 3]], routes: { a: [route(1, 3, ['w2'])] } }),
    )
    expect(out).toEqual({ expected: 0, reroutedAway: 2, stale: 0 })
    a.addBatch(batch([0, 1, 3], ['a']))
    expect(drain(a).map((r) => r.eventNumber)).toEqual([0, 3])
  })

  it('re-routed to this worker: a new stream is needed before the event is ready', () => {
    const a = new EventAssembler(me)
    a.applyEntry(
      entry({ released: [0, 1], routes: { a: [route(0, 1, ['w1'])], b: [route(0, 1, ['w2'])] } }),
    )
    a.addBatch(batch([0], ['a']))
    const out = a.applyEntry(
      entry({
        seq: 1,
        rerouted: [[0, 1]],
        routes: { a: [route(0, 1, ['w1'])], b: [route(0, 1, ['w1'])] },
      }),
    )
    expect(out).toEqual({ expected: 0, reroutedAway: 0, stale: 0 })
    expect(a.takeReady()).toBeUndefined()
    a.addBatch(batch([0], ['b']))
    expect(drain(a).map((r) => r.eventNumber)).toEqual([0])
  })

  it('the completed frontier drops what lies below it', () => {
    const a = new EventAssembler(me)
    a.applyEntry(entry({ released: [0, 4], routes: { a: [route(0, 4, ['w1'])] } }))
    a.addBatch(batch([0], ['a']))
    drain(a)
    a.addBatch(batch([9], ['a'])) // early frames above the coming frontier stay
    const out = a.applyEntry(entry({ seq: 1, routes: {}, completedFrontier: 3 }))
    expect(out.stale).toBe(2) // events 1 and 2 were done elsewhere
    a.addBatch(batch([0, 1, 2, 3], ['a']))
    expect(drain(a).map((r) => r.eventNumber)).toEqual([3])
    expect(a.completedFrontier).toBe(3)
  })

  it('property: every expected event is handed out exactly once, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 200 }),
        fc.boolean(),
        (count, shuffle, entryLate) => {
          const a = new EventAssembler(me)
          const streams = ['a', 'b']
          const arrivals: [number, string][] = []
          for (let e = 0; e < count; e++) for (const s of streams) arrivals.push([e, s])
          for (let i = 0; i < shuffle.length && arrivals.length > 1; i++) {
            const j = shuffle[i]! % arrivals.length
            const k = i % arrivals.length
            ;[arrivals[j], arrivals[k]] = [arrivals[k]!, arrivals[j]!]
          }
          const e0 = entry({
            released: [0, count],
            routes: { a: [route(0, count, ['w1'])], b: [route(0, count, ['w1', 'w2'])] },
            workerSlots: { w1: 1 },
          })
          if (!entryLate) a.applyEntry(e0)
          const seen: number[] = []
          arrivals.forEach(([e, s], i) => {
            a.addBatch(batch([e], [s]))
            if (i % 3 === 0) for (const r of drain(a)) seen.push(r.eventNumber)
          })
          if (entryLate) a.applyEntry(e0)
          for (const r of drain(a)) seen.push(r.eventNumber)
          expect([...seen].sort((x, y) => x - y)).toEqual([...Array(count).keys()])
          expect(a.pendingCount).toBe(0)
        },
      ),
    )
  })
})
