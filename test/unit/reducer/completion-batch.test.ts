import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompletionBatch } from '../../../reducer/completion-batch.js'
import { WorkerName } from '../../../src/internal.js'

const a = WorkerName.parse('a')
const b = WorkerName.parse('b')

describe('CompletionBatch', () => {
  it('is empty until something is added', () => {
    expect(new CompletionBatch().take()).toBeUndefined()
  })

  it('reports per worker, as merged ranges, and starts over', () => {
    const batch = new CompletionBatch()
    for (const e of [0, 1, 2, 7, 3, 9, 8]) batch.add(a, e)
    batch.add(b, 4, true)
    batch.add(b, 5)
    expect(batch.events).toBe(9)
    expect(batch.take()).toEqual({
      done: [
        [
          'a',
          [
            [0, 4],
            [7, 10],
          ],
        ],
        ['b', [[4, 6]]],
      ],
      failed: 1,
    })
    expect(batch.take()).toBeUndefined()
    batch.add(a, 11)
    expect(batch.take()).toEqual({ done: [['a', [[11, 12]]]], failed: 0 })
  })

  it('counts failed events per stream when the worker named it', () => {
    const batch = new CompletionBatch()
    batch.add(a, 0, true, 'xrd')
    batch.add(a, 1, true, 'xrd')
    batch.add(b, 2, true, 'pcap')
    batch.add(b, 3, true)
    batch.add(b, 4, false, 'xrd') // not failed: not counted
    expect(batch.take()).toMatchObject({ failed: 4, failedStreams: { xrd: 2, pcap: 1 } })
    batch.add(a, 5, true)
    expect(batch.take()).not.toHaveProperty('failedStreams')
  })

  it('covers exactly the events added, in disjoint ascending ranges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ w: fc.constantFrom(a, b), e: fc.nat(200), f: fc.boolean() })),
        (adds) => {
          const batch = new CompletionBatch()
          for (const x of adds) batch.add(x.w, x.e, x.f)
          const report = batch.take()
          if (adds.length === 0) {
            expect(report).toBeUndefined()
            return
          }
          expect(report?.failed).toBe(adds.filter((x) => x.f).length)
          for (const [worker, ranges] of report?.done ?? []) {
            const covered: number[] = []
            let prevEnd = -1
            for (const [from, to] of ranges) {
              expect(from).toBeGreaterThan(prevEnd)
              expect(to).toBeGreaterThan(from)
              prevEnd = to
              for (let e = from; e < to; e++) covered.push(e)
            }
            const expected = [...new Set(adds.filter((x) => x.w === worker).map((x) => x.e))]
            expect(covered).toEqual(expected.sort((x, y) => x - y))
          }
        },
      ),
    )
  })
})
