import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { packFrames } from '../../../src/analysis/thread/thread-worker-runner.js'
import { eventNumber } from '../../../src/internal.js'

// The frames a worker hands its analysis thread are copied once into one fresh buffer that moves
// to the thread: every frame keeps its bytes, starts where any typed array may view it, and the
// buffer is nobody else's (the source frames stay as they were).

describe('packFrames', () => {
  it('copies every frame of every event, aligned to 64 bytes, into one buffer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), { maxLength: 6 }),
        (framesPerEvent) => {
          const events = framesPerEvent.map((frames, i) => ({
            eventNumber: eventNumber(i + 1),
            streams: {
              cam: { typ: 'raw', frames },
              meta: { typ: 'x', frames: frames.slice(0, 1) },
            },
          }))
          const { events: packed, buffer } = packFrames(events)
          expect(packed).toHaveLength(events.length)
          packed.forEach((event, i) => {
            expect(event.eventNumber).toBe(events[i]!.eventNumber)
            for (const name of ['cam', 'meta'] as const) {
              const want = events[i]!.streams[name]
              const got = event.streams[name]!
              expect(got.typ).toBe(want.typ)
              expect(got.frames.map((f) => [...f])).toEqual(want.frames.map((f) => [...f]))
              for (const f of got.frames) {
                expect(f.buffer).toBe(buffer)
                expect(f.byteOffset % 64).toBe(0)
              }
            }
          })
        },
      ),
    )
  })

  it('leaves the source frames alone and writes nothing but frames and zeros', () => {
    const a = new Uint8Array([1, 2, 3])
    const b = new Uint8Array(70).fill(9)
    const { events, buffer } = packFrames([
      { eventNumber: eventNumber(1), streams: { s: { typ: 'raw', frames: [a, b] } } },
    ])
    events[0]!.streams.s!.frames[0]![0] = 99
    expect([...a]).toEqual([1, 2, 3])
    const all = new Uint8Array(buffer)
    expect(all.byteLength).toBe(64 + 128)
    expect([...all.subarray(3, 64)].every((x) => x === 0)).toBe(true)
    expect([...all.subarray(64 + 70)].every((x) => x === 0)).toBe(true)
    // A frame of float64 values can be viewed in place.
    expect(new Float64Array(buffer, events[0]!.streams.s!.frames[1]!.byteOffset, 8)).toHaveLength(8)
  })
})
