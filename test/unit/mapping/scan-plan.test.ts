import { describe, expect, it } from 'vitest'
import {
  compileScanPlan,
  parseSequence,
  START_END_PART,
  uniformSequence,
  uniformTriggerMap,
} from '../../../src/mapping/index.js'
import { all, planOf, s, vw } from './build-maps.js'

const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i))
const uniform = (n: number) => range(n, (i) => [vw(i)])

describe('ScanPlan', () => {
  it('expands one part (Dranspose test_expand)', () => {
    const plan = planOf({ main: { test: uniform(10) } }, ['main'])
    expect(plan.eventCount).toBe(10)
    expect(plan.expand()).toEqual({
      test: range(10, (i) => [{ tags: ['generic'], constraint: i }]),
    })
  })

  it('concatenates repeated parts (test_expand_double)', () => {
    const plan = planOf({ main: { test: uniform(10) } }, ['main', 'main'])
    expect(plan.expand()[s('test')]).toHaveLength(20)
    expect(plan.expand()[s('test')]?.[15]).toEqual([{ tags: ['generic'], constraint: 5 }])
  })

  it('pads streams missing from a part with null (test_expand_double_streams)', () => {
    const plan = planOf(
      { main: { test: uniform(10), two: uniform(10) }, two: { two: uniform(10) } },
      ['two', 'main'],
    )
    expect(plan.eventCount).toBe(20)
    const map = plan.expand()
    expect(map[s('test')]).toEqual([...range(10, () => null), ...map[s('two')]!.slice(10)])
    expect(plan.streamsAt(3)).toEqual(['two'])
    expect(plan.streamsAt(13)).toEqual(['test', 'two'])
  })

  it('counts a huge sequence without materialising it (test_huge)', () => {
    const plan = planOf({ main: { test: uniform(1000) } }, range(980, () => 'main') as string[])
    expect(plan.eventCount).toBe(980_000)
    expect(plan.partInstanceCount).toBe(980)
    expect(plan.parts).toHaveLength(1)
    expect(plan.locate(512_345)).toEqual({
      partInstance: 512,
      part: 'main',
      localEvent: 345,
      firstEvent: 512_000,
    })
    expect(plan.entryAt(s('test'), 979_999)).toEqual([{ tags: ['generic'], constraint: 999 }])
  })

  it('compiles a huge single map (test_huge_map)', () => {
    const plan = planOf({ main: { test: uniform(10_000) } }, ['main'])
    expect(plan.eventCount).toBe(10_000)
  })

  it('builds uniform maps like Map.from_uniform (test_uniform)', () => {
    const map = uniformTriggerMap([s('orca'), s('panda')], 10)
    expect(map[s('orca')]?.[9]).toEqual([{ tags: ['generic'], constraint: 9 }])
    const plan = compileScanPlan(parseSequence({ parts: { sardana: map }, sequence: [] }))
    expect(plan.eventCount).toBe(2)
    const seq = uniformSequence([s('orca'), s('panda')], 10, 1)
    expect(compileScanPlan(seq).eventCount).toBe(12)
    expect(compileScanPlan(seq, { allWrap: false }).eventCount).toBe(10)
  })

  it('holds a million-event sequence in memory of one part', () => {
    const plan = compileScanPlan(uniformSequence([s('eiger')], 1000, 1000))
    expect(plan.eventCount).toBe(1_000_002)
    // Part arrays are per part, instance arrays per sequence position: nothing per event.
    expect(plan.parts.map((p) => p.length)).toEqual([1000, 1])
    expect(plan.instanceStart).toHaveLength(1003)
  })

  describe('all_wrap', () => {
    const plan = planOf(
      {
        main: { test: [[all(['tag', 'bla'])], [vw(1)]], test2: [[all(['tag2'])], null] },
        unused: { other: [[vw(0, ['x'])]] },
      },
      ['main', 'main'],
      true,
    )

    it('numbers events from 0: start event, the parts, then the end event', () => {
      expect(plan.eventCount).toBe(6)
      expect(plan.locate(0).part).toBe(START_END_PART)
      expect(plan.locate(1)).toMatchObject({ part: 'main', localEvent: 0, partInstance: 1 })
      expect(plan.locate(5)).toMatchObject({ part: START_END_PART, partInstance: 3 })
    })

    it('broadcasts every stream of every part to each used tag (Dranspose)', () => {
      const tags = ['bla', 'generic', 'tag', 'tag2', 'x']
      const entry = tags.map((t) => ({ tags: [t], constraint: null }))
      expect(plan.tags).toEqual(tags)
      expect(plan.streams).toEqual(['test', 'test2', 'other'])
      for (const stream of plan.streams) {
        expect(plan.entryAt(stream, 0)).toEqual(entry)
        expect(plan.entryAt(stream, 5)).toEqual(entry)
      }
    })

    it('counts frames per stream, wrap included', () => {
      expect(plan.frameCount(s('test'))).toBe(6)
      expect(plan.frameCount(s('test2'))).toBe(4)
      expect(plan.frameCount(s('other'))).toBe(2)
      expect(plan.frameCount(s('nope'))).toBe(0)
    })
  })

  it('counts the frames of a stream before each event, as the expanded map does', () => {
    const plan = planOf(
      {
        a: { x: [[vw(0)], null, [], [vw(1)]], y: [null, [vw(2)], null, null] },
        b: { x: [null, [vw(3)]] },
      },
      ['a', 'b', 'a'],
    )
    const expanded = plan.expand()
    for (const stream of [s('x'), s('y'), s('nope')]) {
      const entries = expanded[stream] ?? []
      for (let event = 0; event <= plan.eventCount; event++) {
        const before = entries.slice(0, event).filter((e) => e !== null).length
        expect(plan.framesBefore(stream, event)).toBe(before)
      }
    }
    expect(plan.framesBefore(s('x'), plan.eventCount)).toBe(plan.frameCount(s('x')))
  })

  it('reports min_workers as the most distinct constraints in one event', () => {
    const plan = planOf({ p: { a: [[vw(1), vw(2)], [vw(3)]], b: [[vw(3)], [all()]] } }, ['p'])
    expect(plan.minWorkers).toBe(3)
  })

  it('rejects events outside the scan', () => {
    const plan = planOf({ p: { a: [null] } }, ['p'])
    expect(() => plan.locate(1)).toThrow(expect.objectContaining({ code: 'STATE_INVALID' }))
    expect(() => plan.locate(-1)).toThrow(expect.objectContaining({ code: 'STATE_INVALID' }))
  })

  it('handles an empty sequence', () => {
    expect(planOf({}, []).eventCount).toBe(0)
    expect(planOf({ p: { a: [null] } }, [], true).eventCount).toBe(2)
  })
})
