import { describe, expect, it } from 'vitest'
import { ForwardPlan } from '../../../ingesters/base/forward-plan.js'
import type { WorkerName } from '../../../src/internal.js'
import { entry, frame, route, s, w } from './plan-fixtures.js'

/** A plan whose recycled parts are collected, with a mutable set of connected workers. */
function recyclingPlan(streams: string[], connected: string[]) {
  const online = new Set<WorkerName>(connected.map(w))
  const recycled: Uint8Array[] = []
  const plan = new ForwardPlan({
    streams: streams.map((name) => ({ name: s(name), typ: 'STINS' })),
    maxBufferBytes: 1 << 20,
    isConnected: (worker) => online.has(worker),
    recycle: (part) => recycled.push(part),
  })
  /** Read every pending event; returns each event's parts by stream. */
  const read = (): Map<number, Uint8Array[][]> => {
    const parts = new Map<number, Uint8Array[][]>()
    for (let p = plan.pending(); p !== undefined; p = plan.pending()) {
      const frames: Uint8Array[][] = []
      for (const i of p.streams) frames[i] = frame(plan.streams[i]!.name, p.event)
      parts.set(p.event, frames)
      plan.commit(p.event, frames)
    }
    return parts
  }
  return { plan, online, recycled, read }
}

describe('ForwardPlan hands frame memory back', () => {
  it('once the completed frontier passes a frame delivered once to its one worker', () => {
    const { plan, recycled, read } = recyclingPlan(['eiger'], ['a'])
    plan.applyEntry(entry({ released: [0, 3], routes: { eiger: [route(0, 3, ['a'])] } }))
    const parts = read()
    expect(recycled).toEqual([])
    plan.applyEntry(entry({ seq: 1, completedFrontier: 2 }))
    expect(recycled).toEqual([parts.get(0)![0]![0], parts.get(1)![0]![0]])
    plan.applyEntry(entry({ seq: 2, completedFrontier: 3 }))
    expect(recycled).toHaveLength(3)
    expect(recycled[2]).toBe(parts.get(2)![0]![0])
  })

  it('at once for a frame read and dropped (routed to no worker)', () => {
    const { plan, recycled, read } = recyclingPlan(['eiger'], ['a'])
    plan.applyEntry(
      entry({ released: [0, 2], routes: { eiger: [route(0, 1, []), route(1, 2, ['a'])] } }),
    )
    const parts = read()
    expect(recycled).toEqual([parts.get(0)![0]![0]])
  })

  it('never for a frame re-routed to another worker (a send to the first may be queued)', () => {
    const { plan, online, recycled, read } = recyclingPlan(['eiger'], ['a', 'b'])
    plan.applyEntry(entry({ released: [0, 2], routes: { eiger: [route(0, 2, ['a'])] } }))
    const parts = read()
    online.delete(w('a'))
    plan.applyEntry(entry({ seq: 1, rerouted: [[0, 1]], routes: { eiger: [route(0, 1, ['b'])] } }))
    plan.applyEntry(entry({ seq: 2, completedFrontier: 2 }))
    // Event 1 went to a only and a completed it; event 0 went to a and then to b.
    expect(recycled).toEqual([parts.get(1)![0]![0]])
    expect(plan.keptEvents).toBe(0)
  })

  it('never for a frame delivered to several workers, or twice to one', () => {
    const { plan, recycled, read } = recyclingPlan(['eiger'], ['a', 'b'])
    plan.applyEntry(
      entry({
        released: [0, 3],
        routes: { eiger: [route(0, 1, ['a', 'b']), route(1, 3, ['a'])] },
      }),
    )
    const parts = read()
    // a's delivery of event 1 failed (its connection dropped): the frame is sent again.
    plan.onSendFailed(w('a'), [{ event: 1, stream: 0 }])
    expect(plan.onHello(w('a'))).toHaveLength(1)
    plan.applyEntry(entry({ seq: 1, completedFrontier: 3 }))
    expect(recycled).toEqual([parts.get(2)![0]![0]])
  })

  it('hands back nothing without a recycle option', () => {
    const plan = new ForwardPlan({
      streams: [{ name: s('eiger'), typ: 'STINS' }],
      maxBufferBytes: 1 << 20,
      isConnected: () => true,
    })
    plan.applyEntry(entry({ released: [0, 1], routes: { eiger: [route(0, 1, ['a'])] } }))
    plan.commit(0, [frame('eiger', 0)])
    plan.applyEntry(entry({ seq: 1, completedFrontier: 1 }))
    expect(plan.keptEvents).toBe(0)
  })
})
