import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ReadFrame } from '../../../ingesters/base/forward-plan.js'
import { FrameMatcher, type MatchCounters } from '../../../ingesters/base/frame-matcher.js'
import type { UpstreamMessage } from '../../../ingesters/base/upstream.js'
import { s } from './plan-fixtures.js'

const text = new TextDecoder()
const bytes = (label: string) => [new TextEncoder().encode(label)]
const start = (): UpstreamMessage => ({ kind: 'start', parts: bytes('start') })
const end = (): UpstreamMessage => ({ kind: 'end', parts: bytes('end') })
const data = (frame: number | undefined, label = `frame ${frame}`): UpstreamMessage => ({
  kind: 'data',
  frame,
  parts: bytes(label),
})

/** What an event got: the label of its message, or `missing: <reason>`. */
function label(frame: ReadFrame): string {
  return Array.isArray(frame)
    ? text.decode(frame[0])
    : `missing: ${(frame as { missing: string }).missing}`
}

/**
 * Run `positions` events of one stream over `messages` as the ingester does (take, else read
 * and offer until an outcome); what each event got, the counters and the notices.
 */
function run(positions: number, messages: readonly UpstreamMessage[]) {
  const counters: MatchCounters = { duplicates: 0, missing: 0, surplus: 0 }
  const notices: string[] = []
  const matcher = new FrameMatcher({
    stream: s('cam'),
    frames: positions,
    counters,
    onNotice: (kind, message) => notices.push(`${kind}: ${message}`),
  })
  const queue = [...messages]
  const got: string[] = []
  for (let position = 0; position < positions; position++) {
    let frame = matcher.take(position)
    while (frame === undefined) {
      const next = queue.shift()
      if (next === undefined) throw new Error(`no message left for position ${position}`)
      frame = matcher.offer(position, next)
    }
    got.push(label(frame))
  }
  return { got, counters, notices, left: queue.length }
}

describe('FrameMatcher', () => {
  it('places start, data by frame number and end on their positions', () => {
    const { got, counters, notices } = run(5, [start(), data(0), data(1), data(2), end()])
    expect(got).toEqual(['start', 'frame 0', 'frame 1', 'frame 2', 'end'])
    expect(counters).toEqual({ duplicates: 0, missing: 0, surplus: 0 })
    expect(notices).toEqual([])
  })

  it('marks the events of a gap missing, naming each frame, and holds the next frame for its own', () => {
    const { got, counters, notices } = run(6, [start(), data(0), data(3), end()])
    expect(got).toEqual([
      'start',
      'frame 0',
      'missing: frame 1 never came from the device (the next was frame 3)',
      'missing: frame 2 never came from the device (the next was frame 3)',
      'frame 3',
      'end',
    ])
    expect(counters.missing).toBe(2)
    expect(notices).toEqual([
      "gap: stream 'cam': frame 1 to frame 2 (2 frames) never came from the device (the next was frame 3); their events fail with FRAME_MISSING",
    ])
  })

  it('puts the end on the last event when the last frames never came', () => {
    const { got, counters } = run(5, [start(), data(0), end()])
    expect(got).toEqual([
      'start',
      'frame 0',
      'missing: frame 1 never came from the device (the series ended first)',
      'missing: frame 2 never came from the device (the series ended first)',
      'end',
    ])
    expect(counters.missing).toBe(2)
  })

  it('drops a repeated frame number and a frame beyond the scan, and says so', () => {
    const { got, counters, notices } = run(4, [
      start(),
      data(0),
      data(0, 'again 0'),
      data(1),
      data(2),
      data(3),
      end(),
    ])
    expect(got).toEqual(['start', 'frame 0', 'frame 1', 'end'])
    expect(counters).toEqual({ duplicates: 1, missing: 0, surplus: 2 })
    expect(notices).toEqual([
      "duplicate: stream 'cam': frame 0 came again (or late, after the events that follow it); dropped",
      "surplus: stream 'cam': frame 2 has no event in this scan (the scan reads 2 data frames of this stream); dropped",
      "surplus: stream 'cam': frame 3 has no event in this scan (the scan reads 2 data frames of this stream); dropped",
    ])
  })

  it('takes frames without a number in arrival order', () => {
    const { got } = run(4, [start(), data(undefined, 'a'), data(undefined, 'b'), end()])
    expect(got).toEqual(['start', 'a', 'b', 'end'])
  })

  it('with one event for the stream, takes only the start', () => {
    const { got, left } = run(1, [start(), data(0), end()])
    expect(got).toEqual(['start'])
    expect(left).toBe(2)
  })

  it('every frame that came lands on its own event; the others are missing (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.constantFrom('keep', 'lose', 'twice'), { minLength: 50, maxLength: 50 }),
        fc.integer({ min: 0, max: 5 }),
        (dataFrames, fate, extra) => {
          const messages: UpstreamMessage[] = [start()]
          const sent = new Set<number>()
          let duplicates = 0
          for (let k = 0; k < dataFrames + extra; k++) {
            const what = fate[k] ?? 'keep'
            if (what === 'lose' && k < dataFrames) continue
            messages.push(data(k))
            sent.add(k)
            if (what === 'twice' && k < dataFrames) {
              messages.push(data(k, `copy ${k}`))
              duplicates++
            }
          }
          messages.push(end())
          const { got, counters, left } = run(dataFrames + 2, messages)
          expect(got[0]).toBe('start')
          expect(got.at(-1)).toBe('end')
          for (let k = 0; k < dataFrames; k++) {
            if (sent.has(k)) expect(got[k + 1]).toBe(`frame ${k}`)
            else expect(got[k + 1]).toMatch(new RegExp(`^missing: frame ${k} never came`))
          }
          const lost = [...Array(dataFrames).keys()].filter((k) => !sent.has(k)).length
          expect(counters).toEqual({ duplicates, missing: lost, surplus: extra })
          expect(left).toBe(0)
        },
      ),
    )
  })
})
