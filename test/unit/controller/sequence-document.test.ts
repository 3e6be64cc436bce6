import { describe, expect, it } from 'vitest'
import { sequenceDocument } from '../../../src/controller/sequence-document.js'

const vw = (constraint: number | null, tags = ['generic']) => ({ tags, constraint })

describe("the sequence document (Dranspose's GET /api/v1/sequence)", () => {
  it('wraps the parts in {mapping} and the sequence in reserved_start_end', () => {
    const posted = {
      parts: {
        main: { eiger: [2, 4, 6, 8].map((c) => [{ constraint: c }]) },
        end: { eiger: [[{ constraint: 2 }]] },
      },
      sequence: ['main', 'main', 'end'],
    }
    expect(sequenceDocument({ sequence: posted, allWrap: true })).toEqual({
      parts: {
        main: { mapping: { eiger: [[vw(2)], [vw(4)], [vw(6)], [vw(8)]] } },
        end: { mapping: { eiger: [[vw(2)]] } },
        reserved_start_end: { mapping: { eiger: [[vw(null)]] } },
      },
      sequence: ['reserved_start_end', 'main', 'main', 'end', 'reserved_start_end'],
    })
  })

  it('gives the start/end part one broadcast per tag, for every stream, and keeps nulls', () => {
    const posted = {
      parts: {
        p: {
          orca: [[{ tags: ['gpu'], constraint: 0 }], null],
          alba: [[], [{ constraint: 1 }]],
        },
      },
      sequence: ['p'],
    }
    const doc = sequenceDocument({ sequence: posted, allWrap: true })
    expect(doc.parts.p).toEqual({
      mapping: { orca: [[vw(0, ['gpu'])], null], alba: [[], [vw(1)]] },
    })
    expect(doc.parts.reserved_start_end).toEqual({
      mapping: {
        orca: [[vw(null, ['generic']), vw(null, ['gpu'])]],
        alba: [[vw(null, ['generic']), vw(null, ['gpu'])]],
      },
    })
    expect(doc.sequence).toEqual(['reserved_start_end', 'p', 'reserved_start_end'])
  })

  it('has no start/end part without all_wrap', () => {
    const posted = { parts: { main: { x: [[{ constraint: 0 }]] } }, sequence: ['main'] }
    expect(sequenceDocument({ sequence: posted, allWrap: false })).toEqual({
      parts: { main: { mapping: { x: [[vw(0)]] } } },
      sequence: ['main'],
    })
  })

  it('before the first scan is the empty wrapped sequence, as Dranspose starts', () => {
    expect(sequenceDocument(undefined)).toEqual({
      parts: { reserved_start_end: { mapping: {} } },
      sequence: ['reserved_start_end', 'reserved_start_end'],
    })
  })
})
