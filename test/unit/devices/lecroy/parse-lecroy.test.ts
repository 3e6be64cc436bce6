import { describe, expect, it } from 'vitest'
import { writePickle } from '../../../../src/codec/pickle-writer.js'
import { isMessageKind } from '../../../../src/devices/device-message.js'
import {
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
} from '../../../../src/devices/lecroy/encode-lecroy.js'
import {
  LECROY_TYP,
  type LecroyData,
  parseLecroy,
  parseLecroyFrames,
} from '../../../../src/devices/lecroy/parse-lecroy.js'

const text = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/**
 * Parts as a MAUI scope sent them (from Dranspose's continuous-mode test capture); the
 * waveforms are replaced by 2 × 3 samples.
 */
const REAL = {
  prepare: '{"htype": "msg", "what": 0, "frame": 0}',
  seqStart:
    '{"htype": "msg", "what": 1, "frame": 0, "ntriggers": -1, "seqno": 0, "channels": [2, 4]}',
  traces: (ch: number, frame: number) =>
    `{"htype": "traces", "ch": ${ch}, "ts": 1740563664.870739, "frame": ${frame}, "shape": [2, 3], "horiz_offset": -1.0000447740009733e-07, "horiz_interval": 1.25000001668929e-11, "dtype": "float64"}`,
  /** CPython protocol 4: `[1740563664.870739]` (FRAME, EMPTY_LIST, MEMOIZE, BINFLOAT, APPEND). */
  timestamps: '8004950d000000000000005d944741d9efb93437ba30612e',
  seqEnd: '{"htype": "msg", "what": 2, "frame": 2}',
  stop: '{"htype": "msg", "what": 3, "frame": 4, "frames": 4}',
}

const waves = (base: number) => new Float64Array([base, base + 0.5, -base, 1e-3, 2, base * 3])

function realSequence(): Uint8Array[] {
  const ts = Uint8Array.from(Buffer.from(REAL.timestamps, 'hex'))
  const raw = (a: Float64Array) => new Uint8Array(a.buffer)
  return [
    text(REAL.seqStart),
    text(REAL.traces(2, 0)),
    raw(waves(1)),
    ts,
    text(REAL.traces(4, 1)),
    raw(waves(2)),
    ts,
    text(REAL.seqEnd),
  ]
}

const dataOf = (frames: Uint8Array[]): LecroyData => {
  const msg = parseLecroy({ typ: LECROY_TYP, frames })
  if (!isMessageKind(msg, 'data')) throw new Error(`not data but ${msg.kind}`)
  return msg
}

describe('parseLecroy', () => {
  it('reads prepare as start and stop as end', () => {
    expect(parseLecroyFrames([text(REAL.prepare)])).toMatchObject({ kind: 'start', frame: 0 })
    expect(parseLecroyFrames([text(REAL.stop)])).toMatchObject({ kind: 'end', frame: 4, frames: 4 })
  })

  it('reads a sequence of two channels with waveforms and timestamps', () => {
    const data = dataOf(realSequence())
    expect(data).toMatchObject({ frame: 0, seqno: 0, ntriggers: -1, channels: [2, 4] })
    expect(data.end.frame).toBe(2)
    expect(data.traces.map((t) => t.channel)).toEqual([2, 4])
    const [first, second] = data.traces
    expect(first?.shape).toEqual([2, 3])
    expect(first?.data).toEqual(waves(1))
    expect(second?.data).toEqual(waves(2))
    expect(first?.timestamps).toEqual([1740563664.870739])
    expect(first?.horizInterval).toBe(1.25000001668929e-11)
    expect(first?.ts).toBe(1740563664.870739)
  })

  it.each([
    ['a lone sequence end', [text(REAL.seqEnd)], /sequence end without a sequence start/],
    ['lone traces', [text(REAL.traces(2, 0))], /traces without a sequence start/],
    ['unknown what', [text('{"htype": "msg", "what": 9, "frame": 0}')], /what 9/],
    ['missing parts', realSequence().slice(0, 5), /5 parts, expected 8 for 2 channels/],
    ['non-JSON', [new Uint8Array([0x80])], /not UTF-8 JSON/],
    ['missing field', [text('{"htype": "msg", "what": 3, "frame": 1}')], /frames/],
  ])('refuses %s', (_name, frames, message) => {
    expect(() => parseLecroyFrames(frames)).toThrow(message)
  })

  it('refuses short waveforms, bad timestamps and the wrong end message', () => {
    const short = realSequence()
    short[2] = new Uint8Array(40)
    expect(() => parseLecroyFrames(short)).toThrow(/40 bytes of traces, expected 48/)
    const strings = realSequence()
    strings[3] = writePickle(['x'])
    expect(() => parseLecroyFrames(strings)).toThrow(/timestamps invalid/)
    const evil = realSequence()
    evil[6] = text("cbuiltins\neval\n(S'1'\ntR.")
    expect(() => parseLecroyFrames(evil)).toThrow(/'builtins.eval', which is not allowed/)
    const noEnd = realSequence()
    noEnd[7] = text(REAL.stop)
    expect(() => parseLecroyFrames(noEnd)).toThrow(/sequence end invalid/)
    expect(() => parseLecroy({ typ: 'xspress', frames: [] })).toThrow(/typ 'xspress'/)
  })
})

describe('encodeLecroy* → parseLecroy', () => {
  it('writes the timestamps as CPython does (minus FRAME and MEMOIZE)', () => {
    const [, , ts] = encodeLecroyTraces({
      channel: 2,
      ts: 0,
      frame: 0,
      data: new Float64Array(1),
      shape: [1, 1],
      horizOffset: 0,
      horizInterval: 1,
      timestamps: [1740563664.870739],
    })
    expect(hex(ts!)).toBe('80045d4741d9efb93437ba30612e')
  })

  it('round-trips a sequential-mode run of three sequences', () => {
    const channels = [2, 4]
    const events: Uint8Array[][] = [encodeLecroyPrepare(0)]
    let frame = 0
    for (let seqno = 0; seqno < 3; seqno++) {
      const parts = encodeLecroySeqStart({ frame, ntriggers: 4, seqno, channels })
      for (const channel of channels) {
        const data = Float64Array.from({ length: 4 * 10 }, (_, i) => Math.sin(i + seqno + channel))
        const timestamps = [0, 1, 2, 3].map((i) => 1.7e9 + seqno + i * 1e-3)
        const base = { channel, ts: 1.7e9 + seqno, frame: frame++, data, shape: [4, 10] }
        parts.push(
          ...encodeLecroyTraces({
            ...base,
            horizOffset: -1e-7,
            horizInterval: 1.25e-11,
            timestamps,
          }),
        )
      }
      parts.push(...encodeLecroySeqEnd(frame))
      events.push(parts)
    }
    events.push(encodeLecroyStop(frame, frame))
    const msgs = events.map((frames) => parseLecroyFrames(frames))
    expect(msgs.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
    const second = msgs[2]
    if (second === undefined || !isMessageKind(second, 'data')) throw new Error('not data')
    expect(second.seqno).toBe(1)
    expect(second.traces[1]?.channel).toBe(4)
    expect(second.traces[1]?.data[5]).toBe(Math.sin(5 + 1 + 4))
    expect(second.traces[0]?.timestamps).toEqual([
      1.7e9 + 1,
      1.7e9 + 1 + 1e-3,
      1.7e9 + 1 + 2e-3,
      1.7e9 + 1 + 3e-3,
    ])
    expect(msgs[4]).toMatchObject({ kind: 'end', frames: 6 })
  })

  it('refuses waveforms that do not match the shape', () => {
    const input = { channel: 1, ts: 0, frame: 0, horizOffset: 0, horizInterval: 1, timestamps: [] }
    expect(() =>
      encodeLecroyTraces({ ...input, data: new Float64Array(3), shape: [2, 2] }),
    ).toThrow(/do not match/)
  })
})
