import { describe, expect, it } from 'vitest'
import { SessionBook } from '../../../reducer/session-book.js'
import type { ResultBatch } from '../../../src/protocol/data-plane-result-batch.js'
import { ScanId, WorkerName } from '../../../src/protocol/ids.js'

const scan = ScanId.parse('s1')
const from = Buffer.from('w0/x')

function batch(session: string, seq: number, floor = 0): ResultBatch {
  return { scan, worker: WorkerName.parse('w0'), session, seq, floor, items: [] }
}

describe('SessionBook', () => {
  it('acknowledges the contiguous batches reduced, and durable ones after a snapshot', () => {
    const book = new SessionBook(scan)
    expect(book.reduced(batch('a', 0), from)).toMatchObject({ reduced: 0, durable: -1 })
    expect(book.reduced(batch('a', 1), from)).toMatchObject({ reduced: 1, durable: -1 })
    const marks = book.marks()
    expect(marks).toEqual([['a', 'w0', 1]])
    expect(book.reduced(batch('a', 2), from)).toMatchObject({ reduced: 2, durable: -1 })
    const acks = book.durable(marks)
    expect(acks).toHaveLength(1)
    expect(acks[0]!.ack).toMatchObject({ session: 'a', reduced: 2, durable: 1 })
    expect(acks[0]!.to).toBe(from)
    // A snapshot that moves nothing sends nothing.
    expect(book.durable(marks)).toEqual([])
  })

  it('does not acknowledge past a missing batch until it arrives', () => {
    const book = new SessionBook(scan)
    book.reduced(batch('a', 0), from)
    expect(book.reduced(batch('a', 2), from)).toMatchObject({ reduced: 0 })
    expect(book.reduced(batch('a', 3), from)).toMatchObject({ reduced: 0 })
    expect(book.reduced(batch('a', 1), from)).toMatchObject({ reduced: 3 })
  })

  it('starts an unknown session at the floor its worker reports', () => {
    const book = new SessionBook(scan)
    expect(book.reduced(batch('a', 7, 5), from)).toMatchObject({ reduced: 4, durable: 4 })
    expect(book.reduced(batch('a', 5, 5), from)).toMatchObject({ reduced: 5 })
    expect(book.reduced(batch('a', 6, 5), from)).toMatchObject({ reduced: 7 })
  })

  it('resumes restored sessions as durable, acknowledging resent old batches at once', () => {
    const book = new SessionBook(scan, [['a', 'w0', 3]])
    expect(book.reduced(batch('a', 2), from)).toMatchObject({ reduced: 3, durable: 3 })
    expect(book.reduced(batch('a', 4), from)).toMatchObject({ reduced: 4, durable: 3 })
  })
})
