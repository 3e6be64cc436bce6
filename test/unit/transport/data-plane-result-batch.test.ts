import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePayload, encodePayload } from '../../../src/codec/result-payload.js'
import { isBeamloomError } from '../../../src/errors.js'
import { slot } from '../../../src/protocol/data-plane.js'
import {
  decodeResultBatch,
  encodeResultBatch,
} from '../../../src/protocol/data-plane-result-batch.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import { eventNumber, ScanId, WorkerName } from '../../../src/protocol/ids.js'

const scan = ScanId.parse('scan-1')
const worker = WorkerName.parse('w1')
const cbor = new Encoder({ useRecords: false })

function header(items: number[], hashes = ['h0']) {
  return cbor.encode({
    v: 2,
    kind: 'results',
    scan: 'scan-1',
    worker: 'w1',
    session: 's1',
    seq: 0,
    floor: 0,
    hashes,
    items,
  })
}

describe('result batches (worker → reducer)', () => {
  it('round-trips results, done and failed markers with their slots and hashes', () => {
    const payload = encodePayload({ roi: new Float32Array([1, 2]), n: 3 })
    const builder = new ResultBatchBuilder(scan, worker, 'session-1')
    builder.result(eventNumber(4), slot(1), 'abc', payload)
    builder.done(eventNumber(5), slot(1), 'abc')
    builder.failed(eventNumber(6), slot(2), 'def')
    expect(builder.itemCount).toBe(3)
    const parts = builder.finish(7, 3)
    expect(parts).toHaveLength(2)
    expect(builder.itemCount).toBe(0)

    const batch = decodeResultBatch(parts)
    expect(batch.scan).toBe('scan-1')
    expect(batch.worker).toBe('w1')
    expect([batch.session, batch.seq, batch.floor]).toEqual(['session-1', 7, 3])
    expect(batch.items).toEqual([
      { eventNumber: 4, slot: 1, parametersHash: 'abc', outcome: 'result', payload },
      { eventNumber: 5, slot: 1, parametersHash: 'abc', outcome: 'done' },
      { eventNumber: 6, slot: 2, parametersHash: 'def', outcome: 'failed' },
    ])
    const first = batch.items[0]!
    expect(first.outcome === 'result' && decodePayload(first.payload)).toEqual({
      roi: new Float32Array([1, 2]),
      n: 3,
    })
  })

  it('carries the stream a failed item failed on, for that item only, batch by batch', () => {
    const builder = new ResultBatchBuilder(scan, worker, 'session-1')
    builder.failed(eventNumber(1), slot(0), 'h', 'xspress3')
    builder.done(eventNumber(2), slot(0), 'h')
    builder.failed(eventNumber(3), slot(0), 'h')
    builder.failed(eventNumber(4), slot(0), 'h', 'contrast')
    const batch = decodeResultBatch(builder.finish(0))
    expect(
      batch.items.map((i) => [i.eventNumber, i.outcome, 'stream' in i ? i.stream : '-']),
    ).toEqual([
      [1, 'failed', 'xspress3'],
      [2, 'done', '-'],
      [3, 'failed', '-'],
      [4, 'failed', 'contrast'],
    ])
    // The next batch starts without them.
    builder.failed(eventNumber(5), slot(0), 'h')
    const next = decodeResultBatch(builder.finish(1))
    expect(next.items[0]).toEqual({
      eventNumber: 5,
      slot: 0,
      parametersHash: 'h',
      outcome: 'failed',
    })
  })

  it('refuses a failed stream that names an item that did not fail', () => {
    const bad = cbor.encode({
      v: 2,
      kind: 'results',
      scan: 'scan-1',
      worker: 'w1',
      session: 's1',
      seq: 0,
      floor: 0,
      hashes: ['h0'],
      items: [1, 0, 0, 0],
      failedStreams: [[0, 'xrd']],
    })
    expect(() => decodeResultBatch([bad])).toThrow(/failedStreams names item 0/)
  })

  it('hands payloads over as the received parts', () => {
    const received = Buffer.alloc(1 << 20, 1)
    const item = decodeResultBatch([header([0, 0, 0, 1]), received]).items[0]!
    expect(item.outcome === 'result' && item.payload).toBe(received)
  })

  it('round-trips random batches', () => {
    const itemArb = fc.record({
      eventNumber: fc.nat(),
      slot: fc.nat(),
      hash: fc.constantFrom('a', 'b', 'c'),
      outcome: fc.constantFrom('result', 'done', 'failed'),
      payload: fc.uint8Array({ maxLength: 300 }),
    })
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 50 }), (items) => {
        const builder = new ResultBatchBuilder(scan, worker, 'session-1')
        for (const i of items) {
          const [e, s] = [eventNumber(i.eventNumber), slot(i.slot)]
          if (i.outcome === 'result') builder.result(e, s, i.hash, i.payload)
          else if (i.outcome === 'done') builder.done(e, s, i.hash)
          else builder.failed(e, s, i.hash)
        }
        const got = decodeResultBatch(builder.finish(0)).items
        expect(got.map((g) => [g.eventNumber, g.slot, g.parametersHash, g.outcome])).toEqual(
          items.map((i) => [i.eventNumber, i.slot, i.hash, i.outcome]),
        )
        got.forEach((g, n) => {
          if (g.outcome === 'result') expect([...g.payload]).toEqual([...items[n]!.payload])
        })
      }),
    )
  })

  it('checks the layout when encoding', () => {
    const h = {
      v: 2 as const,
      kind: 'results' as const,
      scan,
      worker,
      session: 's',
      seq: 0,
      floor: 0,
      hashes: ['h'],
      items: [0, 0, 0, 1],
    }
    expect(() => encodeResultBatch(h, [])).toThrow(/references 1 payloads, 0 present/)
  })

  it.each([
    ['no header', [], /no header part/],
    ['not CBOR', [Buffer.from([0x1c])], /not one CBOR item/],
    [
      'a missing worker',
      [
        cbor.encode({
          v: 2,
          kind: 'results',
          scan: 's',
          session: 's',
          seq: 0,
          floor: 0,
          hashes: [],
          items: [],
        }),
      ],
      /worker/,
    ],
    [
      'an event batch',
      [
        cbor.encode({
          v: 2,
          kind: 'events',
          scan: 's',
          worker: 'w',
          session: 's',
          seq: 0,
          floor: 0,
          hashes: [],
          items: [],
        }),
      ],
      /kind/,
    ],
    ['a layout not in fours', [header([1, 0, 0])], /not a multiple of 4/],
    ['an unknown hash index', [header([1, 0, 1, 0])], /hash index 1/],
    ['an unknown outcome', [header([1, 0, 0, 3])], /unknown outcome 3/],
    ['a missing payload', [header([1, 0, 0, 1])], /references 1 payloads, 0 present/],
    ['an extra part', [header([1, 0, 0, 0]), Buffer.from([1])], /references 0 payloads, 1 present/],
  ])('rejects %s with a ProtocolError and a reason', (_name, parts, reason) => {
    let caught: unknown
    try {
      decodeResultBatch(parts as Uint8Array[])
    } catch (err) {
      caught = err
    }
    expect(isBeamloomError(caught, 'PROTOCOL_INVALID')).toBe(true)
    expect((caught as Error).message).toMatch(reason)
  })
})
