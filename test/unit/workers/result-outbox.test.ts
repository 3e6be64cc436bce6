import { describe, expect, it } from 'vitest'
import { DATA_PLANE_VERSION, slot } from '../../../src/protocol/data-plane.js'
import type { ResultAck } from '../../../src/protocol/data-plane-result-ack.js'
import { decodeResultBatch } from '../../../src/protocol/data-plane-result-batch.js'
import { eventNumber, ScanId, WorkerName } from '../../../src/protocol/ids.js'
import { ResultOutbox } from '../../../workers/result-outbox.js'

const scan = ScanId.parse('s1')

function outbox(): {
  box: ResultOutbox
  sent: number[][]
  send: (p: Uint8Array[]) => Promise<void>
} {
  const box = new ResultOutbox(scan, WorkerName.parse('w'))
  const sent: number[][] = []
  const send = async (parts: Uint8Array[]): Promise<void> => {
    const b = decodeResultBatch(parts)
    sent.push([b.seq, b.floor, ...b.items.map((i) => i.eventNumber)])
  }
  return { box, sent, send }
}

function ack(box: ResultOutbox, reduced: number, durable: number): ResultAck {
  return { v: DATA_PLANE_VERSION, kind: 'ack', scan, session: box.session, reduced, durable }
}

async function batch(
  box: ResultOutbox,
  send: (p: Uint8Array[]) => Promise<void>,
  ...events: number[]
) {
  for (const e of events) box.done(eventNumber(e), slot(0), 'h')
  await box.flush(send)
}

describe('ResultOutbox', () => {
  it('numbers batches, keeps them until durable, and gives credits back when reduced', async () => {
    const { box, sent, send } = outbox()
    await batch(box, send, 0, 1)
    await batch(box, send, 2)
    await batch(box, send, 3, 4, 5)
    expect(sent).toEqual([
      [0, 0, 0, 1],
      [1, 0, 2],
      [2, 0, 3, 4, 5],
    ])
    expect(box.kept.batches).toBe(3)
    expect(box.onAck(ack(box, 1, -1))).toBe(3)
    expect(box.kept.batches).toBe(3)
    // Acks are cumulative; an older one changes nothing.
    expect(box.onAck(ack(box, 0, -1))).toBe(0)
    expect(box.onAck(ack(box, 2, 1))).toBe(3)
    expect(box.kept.batches).toBe(1)
    // The next batch tells the reducer what is forgotten.
    await batch(box, send, 6)
    expect(sent[3]).toEqual([3, 2, 6])
  })

  it('sends what is not durable again, oldest first, with the same numbers', async () => {
    const { box, sent, send } = outbox()
    await batch(box, send, 0)
    await batch(box, send, 1)
    await batch(box, send, 2)
    box.onAck(ack(box, 2, 0))
    sent.length = 0
    await box.resend(send)
    expect(sent.map((s) => s[0])).toEqual([1, 2])
    expect(box.sent.resent).toBe(2)
  })

  it('ignores acknowledgements of another session and of batches never sent', async () => {
    const { box, send } = outbox()
    await batch(box, send, 0)
    expect(box.onAck({ ...ack(box, 5, 5), session: 'other' })).toBe(0)
    expect(box.kept.batches).toBe(1)
    // Reduced beyond what was sent counts only what was sent.
    expect(box.onAck(ack(box, 9, 9))).toBe(1)
    expect(box.kept.batches).toBe(0)
  })

  it('keeps a batch whose send failed, for the next resend', async () => {
    const { box, sent, send } = outbox()
    for (const e of [0, 1]) box.done(eventNumber(e), slot(0), 'h')
    await expect(
      box.flush(async () => {
        throw new Error('no reducer')
      }),
    ).rejects.toThrow('no reducer')
    expect(box.kept.batches).toBe(1)
    await box.resend(send)
    expect(sent).toEqual([[0, 0, 0, 1]])
  })
})
