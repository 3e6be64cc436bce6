import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ForwardPlan } from '../../../ingesters/base/forward-plan.js'
import { MISSING_FRAME_TYP, missingFrameError } from '../../../src/internal.js'
import { drain, entry, frame, makePlan, route, s, w } from './plan-fixtures.js'

const summary = (ds: { worker: string; event: number; stream: number; slot: number }[]) =>
  ds.map((d) => `${d.worker}:${d.event}:${d.stream}:${d.slot}`)

describe('ForwardPlan', () => {
  it('reads one frame per routed event and sends it to the route workers', () => {
    const { plan } = makePlan(['eiger'], ['a', 'b'])
    plan.applyEntry(
      entry({
        released: [0, 4],
        routes: { eiger: [route(0, 1, ['a', 'b']), route(1, 3, ['a']), route(3, 4, ['b'])] },
        workerSlots: { a: 0, b: 1 },
      }),
    )
    expect(summary(drain(plan))).toEqual(['a:0:0:0', 'b:0:0:1', 'a:1:0:0', 'a:2:0:0', 'b:3:0:1'])
    expect(plan.counters[0]!.forwarded).toBe(5)
    expect(plan.pending()).toBeUndefined()
  })

  it('reads nothing for null and reads and drops for []', () => {
    const { plan } = makePlan(['eiger', 'pcap'], ['a'])
    plan.applyEntry(
      entry({
        released: [0, 3],
        routes: {
          eiger: [route(0, 1, null), route(1, 2, []), route(2, 3, ['a'])],
          pcap: [route(0, 3, ['a'])],
        },
        workerSlots: { a: 0 },
      }),
    )
    expect(plan.pending()).toMatchObject({ event: 0, streams: [1] })
    const deliveries = drain(plan)
    expect(summary(deliveries)).toEqual(['a:0:1:0', 'a:1:1:0', 'a:2:0:0', 'a:2:1:0'])
    expect(plan.counters[0]!.dropped).toBe(1)
    expect(plan.keptEvents).toBe(3)
  })

  it('ignores streams of other ingesters and routes for events it never sees', () => {
    const { plan } = makePlan(['eiger'], ['a'])
    plan.applyEntry(
      entry({
        released: [0, 1],
        routes: { eiger: [route(0, 1, ['a'])], other: [route(0, 1, ['a'])] },
      }),
    )
    expect(drain(plan)).toHaveLength(1)
    expect(plan.unknownSlots).toBe(1)
  })

  it('keeps frames until the completed frontier passes them, bounding the buffer', () => {
    const { plan } = makePlan(['eiger'], ['a'], 8)
    plan.applyEntry(entry({ released: [0, 4], routes: { eiger: [route(0, 4, ['a'])] } }))
    const p0 = plan.pending()!
    plan.commit(p0.event, [frame('eiger', 0)])
    expect(plan.bufferFull).toBe(false)
    plan.commit(1, [frame('eiger', 1)])
    expect(plan.bufferBytes).toBe(8)
    expect(plan.bufferFull).toBe(true)
    plan.applyEntry(entry({ seq: 1, released: [4, 4], completedFrontier: 1 }))
    expect(plan.bufferBytes).toBe(4)
    expect(plan.bufferFull).toBe(false)
    plan.applyEntry(entry({ seq: 2, completedFrontier: 2 }))
    expect(plan.keptEvents).toBe(0)
  })

  it('re-sends kept frames of re-routed events to the new workers only', () => {
    const { plan, online } = makePlan(['eiger'], ['a', 'b'])
    plan.applyEntry(
      entry({
        released: [0, 3],
        routes: { eiger: [route(0, 1, ['a', 'b']), route(1, 3, ['a'])] },
        workerSlots: { a: 0, b: 1 },
      }),
    )
    drain(plan)
    online.delete(w('a'))
    online.add(w('c'))
    const resent = plan.applyEntry(
      entry({
        seq: 1,
        released: [3, 3],
        rerouted: [[0, 3]],
        routes: { eiger: [route(0, 1, ['b']), route(1, 3, ['c'])] },
        slots: [[1, 3, w('c'), 0]],
        workerSlots: { c: 2 },
      }),
    )
    // Event 0 already reached b; events 1 and 2 go to c with a's slot (0).
    expect(summary(resent)).toEqual(['c:1:0:0', 'c:2:0:0'])
    expect(plan.counters[0]!.resent).toBe(2)
  })

  it('delivers again to a worker an event is routed away from and then back to', () => {
    const { plan } = makePlan(['eiger'], ['a', 'b'])
    plan.applyEntry(
      entry({ released: [0, 2], routes: { eiger: [route(0, 2, ['a'])] }, workerSlots: { a: 0 } }),
    )
    expect(summary(drain(plan))).toEqual(['a:0:0:0', 'a:1:0:0'])
    // The controller removed a (its heartbeat lapsed): its events go to b, and a drops them.
    const away = plan.applyEntry(
      entry({ seq: 1, rerouted: [[0, 2]], routes: { eiger: [route(0, 2, ['b'])] } }),
    )
    expect(summary(away)).toEqual(['b:0:0:0', 'b:1:0:0'])
    // b failed event 1 and a, added again with a new slot, takes it: a needs the frame again.
    const back = plan.applyEntry(
      entry({
        seq: 2,
        rerouted: [[1, 2]],
        routes: { eiger: [route(1, 2, ['a'])] },
        workerSlots: { a: 2 },
      }),
    )
    expect(summary(back)).toEqual(['a:1:0:2'])
    expect(plan.awaits(w('a'))).toBe(false)
  })

  it('applies a re-route to events not read yet', () => {
    const { plan } = makePlan(['eiger'], ['a', 'b'])
    plan.applyEntry(entry({ released: [0, 2], routes: { eiger: [route(0, 2, ['a'])] } }))
    plan.applyEntry(entry({ seq: 1, rerouted: [[0, 2]], routes: { eiger: [route(0, 2, ['b'])] } }))
    expect(drain(plan).map((d) => d.worker)).toEqual(['b', 'b'])
  })

  it('keeps frames for a worker that is not connected and delivers them on its hello', () => {
    const { plan, online } = makePlan(['eiger'], ['a'])
    plan.applyEntry(entry({ released: [0, 3], routes: { eiger: [route(0, 3, ['a', 'late'])] } }))
    expect(drain(plan).map((d) => d.worker)).toEqual(['a', 'a', 'a'])
    expect(plan.takeWaiting()).toEqual(['late'])
    expect(plan.awaits(w('late'))).toBe(true)
    online.add(w('late'))
    expect(plan.onHello(w('late')).map((d) => d.event)).toEqual([0, 1, 2])
    expect(plan.awaits(w('late'))).toBe(false)
    expect(plan.onHello(w('late'))).toEqual([])
    // Its first delivery, late, is not a re-send.
    expect(plan.counters[0]!.resent).toBe(0)
    expect(plan.counters[0]!.forwarded).toBe(6)
  })

  it('counts a failed send as undelivered again', () => {
    const { plan } = makePlan(['eiger'], ['a'])
    plan.applyEntry(entry({ released: [0, 2], routes: { eiger: [route(0, 2, ['a'])] } }))
    drain(plan)
    plan.onSendFailed(w('a'), [{ event: 1, stream: 0 }])
    expect(plan.onHello(w('a')).map((d) => d.event)).toEqual([1])
    // Delivered again to a worker that had it: a re-send.
    expect(plan.counters[0]!.resent).toBe(1)
  })

  it("gives each stream's position in its series: events that read it before, null skipped", () => {
    const { plan } = makePlan(['eiger', 'pcap'], ['a'])
    plan.applyEntry(
      entry({
        released: [0, 4],
        routes: {
          eiger: [route(0, 1, ['a']), route(1, 2, null), route(2, 3, []), route(3, 4, ['a'])],
          pcap: [route(0, 4, ['a'])],
        },
        workerSlots: { a: 0 },
      }),
    )
    const seen: string[] = []
    for (let p = plan.pending(); p !== undefined; p = plan.pending()) {
      const frames: Uint8Array[][] = []
      for (const i of p.streams) {
        seen.push(`${p.event}:${plan.streams[i]!.name}@${p.positions[i]}`)
        frames[i] = frame(plan.streams[i]!.name, p.event)
      }
      plan.commit(p.event, frames)
    }
    expect(seen).toEqual([
      '0:eiger@0',
      '0:pcap@0',
      '1:pcap@1',
      '2:eiger@1',
      '2:pcap@2',
      '3:eiger@2',
      '3:pcap@3',
    ])
  })

  it('starts the positions where the scan plan says when the first release begins late', () => {
    const plan = new ForwardPlan({
      streams: [{ name: s('eiger'), typ: 'STINS' }],
      maxBufferBytes: 1 << 20,
      isConnected: () => true,
      framesBefore: (stream, event) => (stream === 'eiger' ? event - 1 : 0),
    })
    plan.applyEntry(entry({ released: [5, 7], routes: { eiger: [route(5, 7, ['a'])] } }))
    expect(plan.pending()).toMatchObject({ event: 5, streams: [0], positions: [4] })
  })

  it('sends a frame that never came as a missing-frame marker, kept and re-sent like any frame', () => {
    const { plan, online } = makePlan(['eiger'], ['a', 'b'])
    plan.applyEntry(
      entry({
        released: [0, 2],
        routes: { eiger: [route(0, 2, ['a'])] },
        workerSlots: { a: 0, b: 1 },
      }),
    )
    plan.commit(0, [frame('eiger', 0)])
    const [marker] = plan.commit(1, [{ missing: 'frame 0 never came from the device' }])
    expect(marker).toMatchObject({ worker: 'a', event: 1, typ: MISSING_FRAME_TYP })
    const data = { typ: marker!.typ, frames: marker!.frames }
    expect(missingFrameError({ eiger: data })).toMatchObject({
      code: 'FRAME_MISSING',
      stream: 'eiger',
      message: "stream 'eiger': frame 0 never came from the device",
    })
    online.delete(w('a'))
    const resent = plan.applyEntry(
      entry({ seq: 1, rerouted: [[0, 2]], routes: { eiger: [route(0, 2, ['b'])] } }),
    )
    expect(resent.map((d) => `${d.worker}:${d.event}:${d.typ}`)).toEqual([
      'b:0:STINS',
      `b:1:${MISSING_FRAME_TYP}`,
    ])
  })

  it('rejects a commit of an event that is not pending', () => {
    const { plan } = makePlan(['eiger'], ['a'])
    plan.applyEntry(entry({ released: [0, 2], routes: { eiger: [route(0, 2, ['a'])] } }))
    expect(() => plan.commit(1, [frame('eiger', 1)])).toThrow(/not the pending event/)
    expect(() => plan.commit(0, [])).toThrow(/no frame/)
  })

  it('delivers every routed frame exactly once to each connected worker (property)', () => {
    const workers = ['a', 'b', 'c']
    const runArb = fc.record({
      length: fc.integer({ min: 1, max: 5 }),
      workers: fc.oneof(fc.constant(null), fc.subarray(workers)),
    })
    fc.assert(
      fc.property(
        fc.array(fc.array(runArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 64 }),
        (entries, bufferBytes) => {
          const { plan } = makePlan(['eiger'], workers, bufferBytes)
          const expected: string[] = []
          const got: string[] = []
          let at = 0
          entries.forEach((runs, seq) => {
            const start = at
            const tuples = runs.map((r) => {
              const t = route(at, at + r.length, r.workers)
              for (let e = at; e < at + r.length; e++) {
                for (const x of r.workers ?? []) expected.push(`${x}:${e}`)
              }
              at += r.length
              return t
            })
            plan.applyEntry(entry({ seq, released: [start, at], routes: { eiger: tuples } }))
            // Read some, leave the rest pending, then complete what was read.
            for (const d of drain(plan)) got.push(`${d.worker}:${d.event}`)
            plan.applyEntry(entry({ seq, released: [at, at], completedFrontier: plan.nextEvent }))
            expect(plan.bufferBytes).toBe(0)
          })
          expect(got.sort()).toEqual(expected.sort())
        },
      ),
    )
  })
})
