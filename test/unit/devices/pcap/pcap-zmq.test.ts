import { describe, expect, it } from 'vitest'
import {
  encodePcapZmqData,
  encodePcapZmqEnd,
  encodePcapZmqStart,
} from '../../../../src/devices/pcap/encode-pcap-zmq.js'
import {
  PCAP_TYP,
  type PcapZmqMessage,
  parsePcapZmq,
} from '../../../../src/devices/pcap/parse-pcap-zmq.js'
import { isBeamloomError } from '../../../../src/errors.js'
import { readCapture } from '../eiger-legacy/read-capture.js'

const parse = (frames: Uint8Array[]): PcapZmqMessage => parsePcapZmq({ typ: PCAP_TYP, frames })
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

function expectCode(run: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown, 'PROTOCOL_INVALID'), String(thrown)).toBe(true)
  expect(String(thrown)).toMatch(message)
}

describe('parsePcapZmq on the MAX IV capture', () => {
  const messages = readCapture('pcap-zmq.cbors').map(parse)
  const data = messages.filter((m) => m.kind === 'data')

  it('reads series-start with the arm time, 100 batches, series-end', () => {
    expect(messages).toHaveLength(102)
    expect(messages[0]).toMatchObject({
      kind: 'start',
      armTime: '2024-10-07T08:49:10.627Z',
      messageId: 1,
    })
    expect(data).toHaveLength(100)
    expect(messages[101]).toMatchObject({ kind: 'end', messageId: 102 })
  })

  it('gives 1500 rows of five Float64 columns, batches of 14–16, frame numbers continuous', () => {
    let next = 0
    for (const batch of data) {
      expect(batch.fields).toEqual([
        'inttime',
        'triggernumber',
        'repeatindex',
        'energy',
        'INENC3.VAL.Mean',
      ])
      expect(batch.rows).toBeGreaterThanOrEqual(14)
      expect(batch.rows).toBeLessThanOrEqual(16)
      expect(batch.frameNumber).toBe(next)
      const trigger = batch.columns.triggernumber!
      expect(trigger).toBeInstanceOf(Float64Array)
      // triggernumber counts from 1: row i of the batch is frame frameNumber + i.
      const expected = Array.from({ length: batch.rows }, (_, i) => batch.frameNumber + i + 1)
      expect(Array.from(trigger)).toEqual(expected)
      for (const column of Object.values(batch.columns)) expect(column).toHaveLength(batch.rows)
      next += batch.rows
    }
    expect(next).toBe(1500)
  })

  it('reads real values: energy rises from 8879 eV to 9176 eV, inttime near 7', () => {
    const energy = data.flatMap((b) => Array.from(b.columns.energy!))
    expect(energy[0]).toBeCloseTo(8879.101, 3)
    expect(energy[1499]).toBeGreaterThan(9176)
    expect(energy.every((e, i) => i === 0 || e > energy[i - 1]!)).toBe(true)
    const inttime = data.flatMap((b) => Array.from(b.columns.inttime!))
    expect(inttime[0]).toBeCloseTo(7.116, 6)
    expect(inttime.every((t) => t > 5 && t < 9)).toBe(true)
  })
})

describe('PandABox zmq encode → parse', () => {
  it('round-trips start, a batch and end', () => {
    expect(
      parse(encodePcapZmqStart({ messageId: 1, armTime: '2024-01-01T00:00:00.000Z' })),
    ).toMatchObject({
      kind: 'start',
      armTime: '2024-01-01T00:00:00.000Z',
    })
    const msg = parse(
      encodePcapZmqData({
        messageId: 2,
        frameNumber: 30,
        columns: { a: [1, 2.5], 'B.VAL.Mean': Float64Array.of(-1, 0) },
      }),
    )
    if (msg.kind !== 'data') throw new Error('expected data')
    expect(msg).toMatchObject({ frameNumber: 30, rows: 2, fields: ['a', 'B.VAL.Mean'] })
    expect(Array.from(msg.columns['B.VAL.Mean']!)).toEqual([-1, 0])
    expect(parse(encodePcapZmqEnd({ messageId: 3 }))).toMatchObject({ kind: 'end', messageId: 3 })
  })

  it('reads a single row with scalar columns, as Dranspose re-sends it', () => {
    const msg = parse([
      json({
        message_id: 5,
        message_type: 'data',
        version: 1,
        frame_number: 7,
        energy: 9000.5,
        inttime: 6.9,
      }),
    ])
    expect(msg).toMatchObject({
      kind: 'data',
      rows: 1,
      frameNumber: 7,
      fields: ['energy', 'inttime'],
    })
  })

  it('rejects malformed messages', () => {
    const base = { message_id: 2, message_type: 'data', version: 1, frame_number: 0 }
    expectCode(
      () => parse([json({ ...base, a: [1, 2], b: [1] })]),
      /column 'b' has 1 rows, 'a' has 2/,
    )
    expectCode(() => parse([json({ ...base, a: [1, 'x'] })]), /column 'a' row 1/)
    expectCode(() => parse([json({ ...base, message_type: 'hello' })]), /invalid/)
    expectCode(() => parse([json({ ...base, version: 2 })]), /version/)
    expectCode(() => parse([new TextEncoder().encode('{"message_id": ')]), /not UTF-8 JSON/)
    expectCode(() => parse([json(base), json(base)]), /2 parts/)
    expectCode(() => parsePcapZmq({ typ: 'PCAP_RAW', frames: [json(base)] }), /typ 'PCAP_RAW'/)
  })
})
