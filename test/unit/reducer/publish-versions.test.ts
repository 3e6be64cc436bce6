import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PublishVersions } from '../../../reducer/updates/publish-versions.js'

describe('PublishVersions', () => {
  it('looks at nothing when the reducer did not run and the root is the same', () => {
    const publish = { a: 1 }
    const v = new PublishVersions()
    expect(v.update(publish, false)).toEqual({ changed: ['a'], removed: [] })
    publish.a = 2
    expect(v.update(publish, false)).toEqual({ changed: [], removed: [] })
    expect(v.update(publish, true)).toEqual({ changed: ['a'], removed: [] })
  })

  it('reads Map keys and ignores undefined and function values', () => {
    const v = new PublishVersions()
    v.update(
      new Map<unknown, unknown>([
        ['m', 1],
        [2, 'two'],
      ]),
      true,
    )
    expect(v.paths).toEqual(['m', '2'])
    v.update({ a: 1, u: undefined, f: () => 1 }, true)
    expect(v.paths).toEqual(['a'])
    v.update([1, 2], true)
    expect(v.paths).toEqual([])
  })

  it('bumps a primitive path exactly when its value changed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 2 }))),
        (steps) => {
          const publish: Record<string, number> = {}
          const v = new PublishVersions()
          const expected: Record<string, number> = {}
          v.update(publish, true)
          for (const step of steps) {
            const before = { ...publish }
            Object.assign(publish, step)
            for (const [k, value] of Object.entries(step)) {
              if (before[k] !== value) expected[k] = (expected[k] ?? 0) + 1
            }
            const { changed } = v.update(publish, true)
            expect(new Set(changed)).toEqual(
              new Set(Object.keys(step).filter((k) => before[k] !== step[k])),
            )
          }
          expect(v.versions()).toEqual(expected)
        },
      ),
    )
  })
})
