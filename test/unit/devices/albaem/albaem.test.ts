import { describe, expect, it } from 'vitest'
import {
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
} from '../../../../src/devices/albaem/encode-albaem.js'
import {
  ALBAEM_TYP,
  type AlbaemMessage,
  parseAlbaem,
} from '../../../../src/devices/albaem/parse-albaem.js'
import { isBeamloomError } from '../../../../src/errors.js'
import { readCapture } from '../eiger-legacy/read-capture.js'

const parse = (frames: Uint8Array[]): AlbaemMessage => parseAlbaem({ typ: ALBAEM_TYP, frames })
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

function expectProtocolError(run: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown, 'PROTOCOL_INVALID'), String(thrown)).toBe(true)
  expect(String(thrown)).toMatch(message)
}

describe('parseAlbaem on the MAX IV capture', () => {
  const messages = readCapture('albaem-dump.cbors').map(parse)

  it('reads series-start, four acquisitions, series-end with consecutive message ids', () => {
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'data', 'end'])
    expect(messages.map((m) => m.messageId)).toEqual([1, 2, 3, 4, 5, 6])
    expect(messages[5]).toMatchObject({
      header: { detector_specific: { read_overflow: false, memory_overflow: false } },
    })
  })

  it('gives four finite currents per acquisition, in channel order', () => {
    const data = messages.filter((m) => m.kind === 'data')
    expect(data.map((d) => d.frameNumber)).toEqual([0, 1, 2, 3])
    for (const d of data) {
      expect(d.channels.map((c) => c.name)).toEqual([
        'channel1',
        'channel2',
        'channel3',
        'channel4',
      ])
      expect(d.currents).toHaveLength(4)
      expect(d.currents.every((c) => Number.isFinite(c) && Math.abs(c) < 1e-8)).toBe(true)
    }
    expect(data[0]?.currents[0]).toBe(-2.8302592615927417e-11)
    expect(data[0]?.currents[3]).toBe(4.80528800718246e-10)
    expect(data[0]?.timestamp).toBe(7.72645192)
    expect(data[3]?.acquisitionTimestampNs).toBe(Number('1704807783385064912'))
  })
})

describe('AlbaEM encode → parse', () => {
  it('round-trips start, data and end', () => {
    expect(parse(encodeAlbaemStart({ messageId: 1 }))).toMatchObject({
      kind: 'start',
      messageId: 1,
    })
    const currents = [1e-10, -2e-11, 3.5e-9, 0]
    const msg = parse(
      encodeAlbaemData({
        messageId: 2,
        frameNumber: 0,
        timestamp: 0.5,
        acquisitionTimestampNs: 1e18,
        currents,
      }),
    )
    if (msg.kind !== 'data') throw new Error('expected data')
    expect(Array.from(msg.currents)).toEqual(currents)
    expect(msg).toMatchObject({ frameNumber: 0, timestamp: 0.5 })
    expect(parse(encodeAlbaemEnd({ messageId: 3, readOverflow: true }))).toMatchObject({
      kind: 'end',
      header: { detector_specific: { read_overflow: true } },
    })
  })

  it('reads 0-based and underscored channel names, sorted by number', () => {
    const base = {
      version: 1,
      message_type: 'data',
      message_id: 2,
      frame_number: 0,
      timestamp: 1,
      acquisition_timestamp: 2,
    }
    const zero = parse([json({ ...base, channel1: 2, channel0: 1 })])
    if (zero.kind !== 'data') throw new Error('expected data')
    expect(zero.channels.map((c) => c.number)).toEqual([0, 1])
    expect(Array.from(zero.currents)).toEqual([1, 2])
    const under = parse([json({ ...base, channel_2: 4, channel_1: 3 })])
    if (under.kind !== 'data') throw new Error('expected data')
    expect(Array.from(under.currents)).toEqual([3, 4])
  })

  it('rejects malformed messages', () => {
    const base = {
      version: 1,
      message_type: 'data',
      message_id: 2,
      frame_number: 0,
      timestamp: 1,
      acquisition_timestamp: 2,
    }
    expectProtocolError(() => parse([json({ ...base, channel1: 'x' })]), /channel1 is "x"/)
    expectProtocolError(
      () => parse([json({ ...base, channel1: 1, channel_1: 2 })]),
      /channel 1 sent twice/,
    )
    expectProtocolError(() => parse([json({ ...base, timestamp: undefined })]), /timestamp/)
    expectProtocolError(() => parse([json({ ...base, message_type: 'other' })]), /invalid/)
    expectProtocolError(() => parse([json(base), json(base)]), /2 parts/)
    expectProtocolError(() => parse([new Uint8Array([0xff])]), /not UTF-8 JSON/)
    expectProtocolError(() => parseAlbaem({ typ: 'PCAP', frames: [json(base)] }), /typ 'PCAP'/)
  })
})
