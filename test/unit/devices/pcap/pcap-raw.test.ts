import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodePcapEnd,
  encodePcapHeader,
  encodePcapRows,
  type PcapFieldInput,
} from '../../../../src/devices/pcap/encode-pcap-raw.js'
import {
  PCAP_RAW_TYP,
  PcapRawParser,
  parsePcapRawFrames,
} from '../../../../src/devices/pcap/parse-pcap-raw.js'
import {
  type PcapStreamMessage,
  PcapStreamSplitter,
} from '../../../../src/devices/pcap/pcap-stream-splitter.js'
import { isBeamloomError } from '../../../../src/errors.js'

// What a PandABox sends on port 8889 after `\n` (modelled on Dranspose's test server).
const HEADER = `arm_time: 2023-12-19T07:51:12.754Z
missed: 0
process: Scaled
format: ASCII
fields:
 PCAP.BITS0 uint32 Value
 INENC1.VAL double Min scale: 1 offset: 0 units:
 INENC1.VAL double Max scale: 1 offset: 0 units:
 PCAP.TS_TRIG double Value scale: 8e-09 offset: 0 units: s
 INENC1.VAL double Mean scale: 1 offset: 0 units:
 SFP3_SYNC_IN.POS1 double Mean scale: 1 offset: 0 units: (null)

`
const ROWS = ` 301989857 0 0 0.32175968 0 592910924.7
 33554401 0 0 0.43175968 0 592910919
 33554401 0 0 0.54175968 0 592910930.9
`
const STREAM = Buffer.from(`OK\n${HEADER}${ROWS}END 3 Disarmed\n`, 'latin1')

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

/** Feeds `bytes` cut at `cuts` and returns the messages, rows merged into one list. */
function split(
  bytes: Uint8Array,
  cuts: number[],
): { kinds: string[]; rows: Buffer[]; all: PcapStreamMessage[] } {
  const splitter = new PcapStreamSplitter()
  const all: PcapStreamMessage[] = []
  let at = 0
  for (const cut of [
    ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b),
    bytes.length,
  ]) {
    all.push(...splitter.push(bytes.subarray(at, cut)))
    at = cut
  }
  const kinds = all.map((m) => m.kind).filter((k, i, ks) => k !== 'rows' || ks[i - 1] !== 'rows')
  const rows = all.flatMap((m) => (m.kind === 'rows' ? m.rows.map((r) => Buffer.from(r)) : []))
  return { kinds, rows, all }
}

const fields: PcapFieldInput[] = [
  { name: 'PCAP.BITS0', type: 'uint32', capture: 'Value' },
  { name: 'COUNTER1.OUT', type: 'double', capture: 'Mean', scale: 1, offset: 0, units: '' },
  { name: 'INENC1.VAL', type: 'int64', capture: 'Value' },
  { name: 'INENC2.VAL', type: 'int32', capture: 'Min' },
]
const rows = [
  [1, 0.5, -(2n ** 40n), -7],
  [0xffff_ffff, 1e-9, 123n, 2_000_000_000],
  [3, -2.25, 0n, 0],
]

describe('PcapStreamSplitter', () => {
  it('cuts an ASCII acquisition into start, rows, end however the chunks fall', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(STREAM.length), { maxLength: 8 }), (cuts) => {
        const { kinds, rows, all } = split(STREAM, cuts)
        expect(kinds).toEqual(['start', 'rows', 'end'])
        expect(rows.map((r) => r.toString('latin1'))).toEqual(ROWS.split(/(?<=\n)/))
        const start = all[0]
        if (start?.kind !== 'start') throw new Error('expected start')
        expect(Buffer.from(start.raw).toString('latin1')).toBe(HEADER)
        expect(start.header.fields.map((f) => f.key)).toContain('PCAP.TS_TRIG.Value')
        expect(all.at(-1)).toMatchObject({ kind: 'end', samples: 3, reason: 'Disarmed' })
      }),
    )
  })

  it('handles several acquisitions on one connection', () => {
    const twice = Buffer.concat([STREAM, Buffer.from(`${HEADER}${ROWS}END 3 Ok\n`, 'latin1')])
    expect(split(twice, [STREAM.length + 5]).kinds).toEqual([
      'start',
      'rows',
      'end',
      'start',
      'rows',
      'end',
    ])
  })

  it('reassembles framed binary samples split across frames and chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(200), { maxLength: 6 }), (cuts) => {
        const whole = encodePcapRows(fields, rows, 'unframed')
        // Two BIN frames that cut the second sample in the middle.
        const frame = (bytes: Uint8Array): Buffer => {
          const head = Buffer.from('BIN \0\0\0\0', 'latin1')
          head.writeUInt32LE(bytes.length + 8, 4)
          return Buffer.concat([head, bytes])
        }
        const stream = Buffer.concat([
          Buffer.from('OK\n'),
          encodePcapHeader({ armTime: '2024-01-01T00:00:00Z', format: 'framed', fields }),
          frame(whole.subarray(0, 30)),
          frame(whole.subarray(30)),
          encodePcapEnd(3, 'Ok'),
        ])
        const { kinds, rows: samples } = split(stream, cuts)
        expect(kinds).toEqual(['start', 'rows', 'end'])
        expect(Buffer.concat(samples)).toEqual(Buffer.from(whole))
        expect(samples.every((s) => s.length === 24)).toBe(true)
      }),
    )
  })

  it('reads unframed samples and the END line after them', () => {
    const stream = Buffer.concat([
      encodePcapHeader({ format: 'unframed', fields }),
      encodePcapRows(fields, rows, 'unframed'),
      encodePcapEnd(3, 'Ok'),
    ])
    const { kinds, rows: samples, all } = split(stream, [50, 51, 100])
    expect(kinds).toEqual(['start', 'rows', 'end'])
    expect(samples).toHaveLength(3)
    expect(all.at(-1)).toMatchObject({ kind: 'end', samples: 3, reason: 'Ok' })
  })

  it('rejects an ERR reply, Base64 data and a broken frame', () => {
    expectProtocolError(
      () => new PcapStreamSplitter().push(Buffer.from('ERR bad option\n')),
      /refused/,
    )
    const base64 = HEADER.replace('format: ASCII', 'format: Base64\nsample_bytes: 44')
    expectProtocolError(() => new PcapStreamSplitter().push(Buffer.from(base64)), /Base64/)
    const framed = Buffer.concat([
      encodePcapHeader({ format: 'framed', fields }),
      Buffer.from('XYZ 12345678'),
    ])
    expectProtocolError(() => new PcapStreamSplitter().push(framed), /neither 'BIN ' nor 'END'/)
  })
})

describe('parsePcapRawFrames / PcapRawParser', () => {
  it('parses what the splitter emits: start, typed columns, end', () => {
    const parser = new PcapRawParser()
    const { all } = split(STREAM, [])
    const frames = all.flatMap((m) => (m.kind === 'rows' ? m.rows.map((r) => [r]) : [[m.raw]]))
    const parsed = frames.map((f) => parser.parse({ typ: PCAP_RAW_TYP, frames: f }))
    expect(parsed.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
    expect(parsed[0]).toMatchObject({ kind: 'start', armTime: '2023-12-19T07:51:12.754Z' })
    const first = parsed[1]
    if (first?.kind !== 'data') throw new Error('expected data')
    expect(first.rows).toBe(1)
    expect(first.columns['PCAP.BITS0.Value']).toEqual(Uint32Array.of(301_989_857))
    expect(first.columns['SFP3_SYNC_IN.POS1.Mean']).toEqual(Float64Array.of(592_910_924.7))
    expect(first.fields[3]).toMatchObject({ scale: 8e-9, offset: 0, units: 's' })
    expect(first.fields[5]).toMatchObject({ units: '(null)' })
    expect(parsed[4]).toMatchObject({ kind: 'end', samples: 3, reason: 'Disarmed' })
  })

  it('round-trips binary rows with int64 exactly, and header + rows in one event', () => {
    for (const format of ['ascii', 'unframed'] as const) {
      const header = encodePcapHeader({ armTime: 'T', format, fields })
      const msg = parsePcapRawFrames([header, encodePcapRows(fields, rows, format)])
      if (msg.kind !== 'data') throw new Error('expected data')
      expect(msg.rows).toBe(3)
      expect(msg.columns['INENC1.VAL.Value']).toEqual(BigInt64Array.of(-(2n ** 40n), 123n, 0n))
      expect(msg.columns['COUNTER1.OUT.Mean']).toEqual(Float64Array.of(0.5, 1e-9, -2.25))
      expect(msg.columns['INENC2.VAL.Min']).toEqual(Int32Array.of(-7, 2_000_000_000, 0))
    }
  })

  it('rejects a line with the wrong number of fields, quoting it', () => {
    const parser = new PcapRawParser()
    parser.parse({ typ: PCAP_RAW_TYP, frames: [Buffer.from(HEADER)] })
    expectProtocolError(
      () => parser.parse({ typ: PCAP_RAW_TYP, frames: [Buffer.from(' 1 2 3\n')] }),
      /3 values, the header has 6 fields: '1 2 3'/,
    )
    expectProtocolError(
      () => parser.parse({ typ: PCAP_RAW_TYP, frames: [Buffer.from(' x 0 0 0 0 0\n')] }),
      /'x' is not a uint32 for PCAP.BITS0.Value/,
    )
    expectProtocolError(() => parsePcapRawFrames([Buffer.from(' 1 2\n')]), /before any header/)
    expectProtocolError(() => parsePcapRawFrames([Buffer.from('END x\n')]), /end line/)
    expectProtocolError(() => parsePcapRawFrames([]), /0 parts/)
    expectProtocolError(
      () => parsePcapRawFrames([Buffer.from('missed: 0\nfields:\n bad\n')]),
      /field line/,
    )
    expectProtocolError(
      () => parsePcapRawFrames([Buffer.from('missed: 0\nfields:\n A uint8 Value\n')]),
      /unknown type/,
    )
  })
})
