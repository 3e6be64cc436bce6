import { describe, expect, it } from 'vitest'
import { isBeamloomError } from '../../../src/errors.js'
import {
  MappingInvalidError,
  PartName,
  parseAllWrap,
  parseSequence,
  parseTriggerMap,
  sequenceFromTriggerMap,
} from '../../../src/mapping/index.js'
import { s } from './build-maps.js'

function issuesOf(f: () => unknown) {
  try {
    f()
  } catch (err) {
    expect(isBeamloomError(err, 'MAPPING_INVALID')).toBe(true)
    expect(err).toBeInstanceOf(MappingInvalidError)
    if (err instanceof MappingInvalidError) return err.issues
  }
  throw new Error('expected a MAPPING_INVALID error')
}

describe('parseTriggerMap', () => {
  it('fills in Dranspose defaults: tags ["generic"], constraint null', () => {
    const map = parseTriggerMap({ eiger: [[{}], [{ constraint: 3 }], [], null] })
    expect(map).toEqual({
      eiger: [
        [{ tags: ['generic'], constraint: null }],
        [{ tags: ['generic'], constraint: 3 }],
        [],
        null,
      ],
    })
  })

  it('accepts the example of the Dranspose documentation', () => {
    const map = parseTriggerMap({
      eiger: [[{ tags: ['generic'], constraint: 2 }], [{ tags: ['generic'], constraint: 4 }]],
      alba: [
        [
          { tags: ['generic'], constraint: 2 },
          { tags: ['generic'], constraint: 3 },
        ],
        [
          { tags: ['generic'], constraint: 4 },
          { tags: ['generic'], constraint: 5 },
        ],
      ],
      slow: [null, [{ tags: ['generic'], constraint: 4 }]],
    })
    expect(Object.keys(map)).toEqual(['eiger', 'alba', 'slow'])
  })

  it('accepts an empty map', () => {
    expect(parseTriggerMap({})).toEqual({})
  })

  it.each([
    {
      name: 'unequal stream lengths',
      json: { a: [null, null], b: [null], c: [null, null, null] },
      paths: [['b'], ['c']],
    },
    {
      name: 'a negative constraint',
      json: { a: [[{ constraint: -1 }]] },
      paths: [['a', 0, 0, 'constraint']],
    },
    {
      name: 'a fractional constraint',
      json: { a: [null, [{ constraint: 1.5 }]] },
      paths: [['a', 1, 0, 'constraint']],
    },
    {
      name: 'a string constraint',
      json: { a: [[{ constraint: '1' }]] },
      paths: [['a', 0, 0, 'constraint']],
    },
    { name: 'an unknown key (typo)', json: { a: [[{ constrain: 1 }]] }, paths: [['a', 0, 0]] },
    { name: 'an empty tag', json: { a: [[{ tags: [''] }]] }, paths: [['a', 0, 0, 'tags', 0]] },
    { name: 'an entry that is not a list', json: { a: [{ constraint: 1 }] }, paths: [['a', 0]] },
    { name: 'a stream that is not a list', json: { a: 3 }, paths: [['a']] },
    { name: 'not an object', json: [1, 2], paths: [[]] },
  ])('rejects $name with the offending path', ({ json, paths }) => {
    expect(issuesOf(() => parseTriggerMap(json)).map((i) => i.path)).toEqual(paths)
  })

  it('explains unequal lengths in the message', () => {
    const [issue] = issuesOf(() => parseTriggerMap({ a: [null, null], b: [null] }))
    expect(issue?.message).toMatch(/1 events but stream 'a' has 2/)
  })
})

describe('parseSequence', () => {
  const part = { eiger: [[{ constraint: 1 }], null] }

  it('accepts parts and a sequence repeating them', () => {
    const seq = parseSequence({
      parts: { main: part, end: part },
      sequence: ['main', 'main', 'end'],
    })
    expect(seq.sequence).toEqual(['main', 'main', 'end'])
    expect(seq.parts[PartName.parse('main')]?.[s('eiger')]?.[0]).toEqual([
      { tags: ['generic'], constraint: 1 },
    ])
  })

  it('rejects a sequence naming an unknown part, at its index', () => {
    const issues = issuesOf(() =>
      parseSequence({ parts: { main: part }, sequence: ['main', 'two'] }),
    )
    expect(issues).toEqual([{ path: ['sequence', 1], message: expect.stringMatching(/'two'/) }])
  })

  it('reports problems inside a part with the full path', () => {
    const issues = issuesOf(() =>
      parseSequence({ parts: { main: { a: [[{ constraint: -2 }]] } }, sequence: ['main'] }),
    )
    expect(issues.map((i) => i.path)).toEqual([['parts', 'main', 'a', 0, 0, 'constraint']])
  })

  it('rejects unequal lengths inside a part', () => {
    const issues = issuesOf(() =>
      parseSequence({ parts: { p: { a: [null], b: [] } }, sequence: ['p'] }),
    )
    expect(issues.map((i) => i.path)).toEqual([['parts', 'p', 'b']])
  })

  it('rejects missing fields and unknown keys', () => {
    expect(issuesOf(() => parseSequence({ parts: {} })).map((i) => i.path)).toEqual([['sequence']])
    const extra = issuesOf(() => parseSequence({ parts: {}, sequence: [], all_wrap: true }))
    expect(extra.map((i) => i.path)).toEqual([[]])
  })

  it('wraps a plain map the way POST /api/v1/mapping does', () => {
    const map = parseTriggerMap(part)
    expect(sequenceFromTriggerMap(map)).toEqual({ parts: { main: map }, sequence: ['main'] })
  })
})

describe('parseAllWrap', () => {
  it.each([
    [undefined, true],
    [true, true],
    ['true', true],
    ['1', true],
    [false, false],
    ['false', false],
    ['0', false],
  ])('reads %j as %j', (value, expected) => {
    expect(parseAllWrap(value)).toBe(expected)
  })

  it('rejects anything else at path all_wrap', () => {
    expect(issuesOf(() => parseAllWrap('yes'))).toEqual([
      { path: ['all_wrap'], message: 'all_wrap must be true or false' },
    ])
  })
})
