import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isBeamloomError } from '../../../src/errors.js'
import { slot } from '../../../src/protocol/data-plane.js'
import {
  decodeEventBatch,
  type EventBatchHeader,
  encodeEventBatch,
} from '../../../src/protocol/data-plane-event-batch.js'
import { EventBatchBuilder } from '../../../src/protocol/data-plane-event-batch-builder.js'
import type { StreamData } from '../../../src/protocol/event.js'
import { eventNumber, ScanId, streamName } from '../../../src/protocol/ids.js'

const scan = ScanId.parse('scan-1')
const cbor = new Encoder({ useRecords: false })
const bytes = (...values: number[]) => Buffer.from(values)

function header(events: number[], streams: [string, string][] = [['eiger', 'STINS']]) {
  return cbor.encode({ v: 2, kind: 'events', scan: 'scan-1', streams, events })
}

function expectProtocolError(fn: () => unknown, reason: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(isBeamloomError(err, 'PROTOCOL_INVALID')).toBe(true)
    expect(String((err as Error).message)).toMatch(reason)
    return
  }
  expect.fail('expected a ProtocolError')
}

describe('event batches (ingester → worker)', () => {
  it('round-trips events with several streams through the builder', () => {
    const a = bytes(1, 2, 3)
    const b = bytes(4)
    const c = bytes(5, 6)
    const builder = new EventBatchBuilder(scan)
    builder.add(eventNumber(7), slot(0), streamName('eiger'), 'STINS', [a, b])
    builder.add(eventNumber(7), slot(0), streamName('pcap'), 'PCAP', [])
    builder.add(eventNumber(8), slot(3), streamName('eiger'), 'STINS', [c])
    expect(builder.eventCount).toBe(2)
    expect(builder.frameBytes).toBe(6)
    const parts = builder.finish()
    expect(parts).toHaveLength(4)
    expect(builder.eventCount).toBe(0)

    const batch = decodeEventBatch(parts)
    expect(batch.scan).toBe('scan-1')
    expect(batch.events).toEqual([
      {
        eventNumber: 7,
        slot: 0,
        streams: { eiger: { typ: 'STINS', frames: [a, b] }, pcap: { typ: 'PCAP', frames: [] } },
      },
      { eventNumber: 8, slot: 3, streams: { eiger: { typ: 'STINS', frames: [c] } } },
    ])
  })

  it('hands large frames over as the received memory, never a copy', () => {
    const received = Buffer.alloc(4 << 20, 7)
    const small = bytes(9)
    const parts = [header([0, 0, 1, 0, 2]), received, small]
    const [frame, second] = decodeEventBatch(parts).events[0]!.streams.eiger!.frames
    expect(frame).toBe(received)
    expect(frame!.buffer).toBe(received.buffer)
    expect(frame!.byteOffset).toBe(received.byteOffset)
    expect(second).toBe(small)
  })

  it('keeps frames by reference in the encoder too', () => {
    const frame = Buffer.alloc(1000)
    const parts = new EventBatchBuilder(scan)
      .add(eventNumber(1), slot(1), streamName('eiger'), 'STINS', [frame])
      .finish()
    expect(parts[1]).toBe(frame)
  })

  it('round-trips random batches', () => {
    const streamArb = fc.record({
      typ: fc.constantFrom('STINS', 'EIGER_LEGACY', 'PCAP'),
      frames: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
    })
    const eventArb = fc.record({
      eventNumber: fc.nat({ max: 2 ** 40 }),
      slot: fc.nat({ max: 1000 }),
      streams: fc.dictionary(fc.constantFrom('eiger', 'pcap', 'constructor', 'x3', 'ö'), streamArb),
    })
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 20 }), (events) => {
        const builder = new EventBatchBuilder(scan)
        for (const e of events) {
          builder.addEvent(
            eventNumber(e.eventNumber),
            slot(e.slot),
            e.streams as Record<string, StreamData>,
          )
        }
        const decoded = decodeEventBatch(builder.finish())
        expect(decoded.events).toHaveLength(events.length)
        decoded.events.forEach((got, i) => {
          const want = events[i]!
          expect(got.eventNumber).toBe(want.eventNumber)
          expect(got.slot).toBe(want.slot)
          expect(Object.keys(got.streams).sort()).toEqual(Object.keys(want.streams).sort())
          for (const [name, data] of Object.entries(want.streams)) {
            expect(got.streams[name]!.typ).toBe(data.typ)
            expect(got.streams[name]!.frames.map((f) => [...f])).toEqual(
              data.frames.map((f) => [...f]),
            )
          }
        })
      }),
    )
  })

  it('encodes a header given directly and checks it against the frames', () => {
    const h: EventBatchHeader = {
      v: 2,
      kind: 'events',
      scan,
      streams: [[streamName('eiger'), 'STINS']],
      events: [5, 2, 1, 0, 1],
    }
    const frame = bytes(1)
    expect(decodeEventBatch(encodeEventBatch(h, [frame])).events[0]!.streams.eiger!.frames).toEqual(
      [frame],
    )
    expectProtocolError(() => encodeEventBatch(h, []), /only 0 frames present/)
  })

  it('refuses to add one stream twice to an event', () => {
    const builder = new EventBatchBuilder(scan)
    builder.add(eventNumber(1), slot(0), streamName('eiger'), 'STINS', [])
    expect(() => builder.add(eventNumber(1), slot(0), streamName('eiger'), 'OTHER', [])).toThrow(
      RangeError,
    )
  })

  it.each([
    ['no header', [], /no header part/],
    ['not CBOR', [bytes(0xff, 0xff)], /not one CBOR item/],
    [
      'a wrong version',
      [cbor.encode({ v: 1, kind: 'events', scan: 's', streams: [], events: [] })],
      /invalid header.*v/,
    ],
    [
      'a result batch',
      [cbor.encode({ v: 2, kind: 'results', scan: 's', streams: [], events: [] })],
      /kind/,
    ],
    ['a negative event number', [header([-1, 0, 0])], /events/],
    ['a fractional number', [header([1.5, 0, 0])], /events/],
    ['a layout cut inside an event', [header([1, 0])], /ends inside an event/],
    ['streams past the end', [header([1, 0, 2, 0, 1])], /past the layout's end/],
    ['an unknown stream index', [header([1, 0, 1, 3, 0])], /stream index 3/],
    ['more frames than parts', [header([1, 0, 1, 0, 2]), bytes(1)], /only 1 frames present/],
    [
      'parts nobody references',
      [header([1, 0, 1, 0, 1]), bytes(1), bytes(2)],
      /references 1 frames, 2 present/,
    ],
    ['a stream named __proto__', [header([1, 0, 1, 0, 0], [['__proto__', 'X']])], /reserved/],
    [
      'a stream twice in one event',
      [
        header(
          [1, 0, 2, 0, 0, 1, 0],
          [
            ['a', 'X'],
            ['a', 'Y'],
          ],
        ),
      ],
      /stream 'a' twice/,
    ],
  ])('rejects %s with a ProtocolError and a reason', (_name, parts, reason) => {
    expectProtocolError(() => decodeEventBatch(parts as Uint8Array[]), reason)
  })
})
