import { readFileSync } from 'node:fs'
import { decodeMultiple } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { encodeBitshuffleLz4 } from '../../../../src/codec/bitshuffle-lz4-encode.js'
import { bytesOf } from '../../../../src/devices/dtype.js'
import { encodeStinsImage } from '../../../../src/devices/stins/encode-stins.js'
import { parseStins, parseStinsFrames } from '../../../../src/devices/stins/parse-stins.js'
import { type ErrorCode, isBeamloomError } from '../../../../src/errors.js'

// Ingester recording of a STINS stream from a MAX IV beamline (../shared/fixtures/README.md):
// tag 42877 [event_number, {xrd: tag 42878 [typ, frames]}]; cbor-x strips tag 55799.
const FIXTURE = new URL('../../../../../shared/fixtures/dump_xrd.cbors', import.meta.url)

const StreamRecord = z.object({
  tag: z.literal(42878),
  value: z.tuple([z.string(), z.array(z.instanceof(Uint8Array))]),
})
const WorkerRecord = z.object({
  tag: z.literal(42877),
  value: z.tuple([z.number(), z.record(z.string(), StreamRecord)]).rest(z.unknown()),
})

function loadXrd(): { eventNumber: number; typ: string; frames: Uint8Array[] }[] {
  const records = z.array(WorkerRecord).parse(decodeMultiple(readFileSync(FIXTURE)))
  return records.map(({ value: [eventNumber, streams] }) => {
    const xrd = streams.xrd
    if (xrd === undefined) throw new Error(`event ${eventNumber} has no xrd stream`)
    return { eventNumber, typ: xrd.value[0], frames: xrd.value[1] }
  })
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

const image = (fields: Record<string, unknown> = {}) => ({
  htype: 'image',
  msg_number: 3,
  frame: 2,
  shape: [2, 3],
  type: 'uint16',
  compression: 'none',
  ...fields,
})

function expectProtocolError(fn: () => unknown, code: ErrorCode, message: RegExp): void {
  let thrown: unknown
  try {
    fn()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown, code), String(thrown)).toBe(true)
  expect(String(thrown)).toMatch(message)
}

describe('parseStins on the dump_xrd recording', () => {
  const events = loadXrd()
  const messages = events.map((event) => parseStins(event))

  it('has a header, nine 10×10 uint16 images and a series end', () => {
    expect(events.map((e) => e.eventNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(messages[0]).toMatchObject({ kind: 'start', msgNumber: 0, filename: 'output/xrd.h5' })
    expect(messages[10]).toMatchObject({ kind: 'end', msgNumber: 10 })
    messages.slice(1, 10).forEach((msg, i) => {
      expect(msg).toMatchObject({
        kind: 'data',
        msgNumber: i + 1,
        frame: i,
        shape: [10, 10],
        compression: 'none',
        dtype: { name: 'uint16', itemSize: 2 },
      })
    })
  })

  it('reads the pixels as little-endian uint16', () => {
    events.slice(1, 10).forEach((event, i) => {
      const msg = messages[i + 1]
      if (msg?.kind !== 'data') throw new Error('expected an image')
      const blob = event.frames[1]!
      const wire = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
      expect(msg.data).toBeInstanceOf(Uint16Array)
      expect(msg.parts).toEqual([msg.data])
      expect([...msg.data]).toEqual(
        Array.from({ length: 100 }, (_, p) => wire.getUint16(2 * p, true)),
      )
    })
  })

  it('views aligned data without copying and copies misaligned data', () => {
    const [header, blob] = events[1]!.frames
    const aligned = new Uint8Array(blob!)
    const fromAligned = parseStinsFrames([header!, aligned])
    if (fromAligned.kind !== 'data') throw new Error('expected an image')
    expect(fromAligned.data.buffer).toBe(aligned.buffer)

    const shifted = new Uint8Array(aligned.length + 1).subarray(1)
    shifted.set(aligned)
    const fromShifted = parseStinsFrames([header!, shifted])
    if (fromShifted.kind !== 'data') throw new Error('expected an image')
    expect(fromShifted.data.buffer).not.toBe(shifted.buffer)
    expect([...fromShifted.data]).toEqual([...fromAligned.data])
  })
})

describe('parseStinsFrames', () => {
  it('keeps extra header fields', () => {
    const msg = parseStinsFrames([json({ htype: 'header', msg_number: 0, detector: 'orca' })])
    expect(msg).toMatchObject({ kind: 'start', filename: undefined, header: { detector: 'orca' } })
  })

  it('decodes bslz4 images and type strings', () => {
    const values = Int32Array.from({ length: 6 }, (_, i) => (i - 3) * 1000)
    const frames = [
      json(image({ type: '<i4', compression: 'bslz4' })),
      encodeBitshuffleLz4(bytesOf(values), 4),
    ]
    const msg = parseStinsFrames(frames)
    if (msg.kind !== 'data') throw new Error('expected an image')
    expect(msg.data).toBeInstanceOf(Int32Array)
    expect([...msg.data]).toEqual([...values])
  })

  it('returns one array per image part', () => {
    const low = Uint16Array.of(1, 2, 3, 4, 5, 6)
    const high = Uint16Array.of(7, 8, 9, 10, 11, 12)
    const msg = parseStinsFrames(
      encodeStinsImage({ msgNumber: 1, frame: 0, shape: [2, 3], data: [low, high] }),
    )
    if (msg.kind !== 'data') throw new Error('expected an image')
    expect(msg.parts.map((part) => [...part])).toEqual([[...low], [...high]])
    expect(msg.data).toBe(msg.parts[0])
  })

  it('rejects a stream of another type', () => {
    expectProtocolError(
      () => parseStins({ typ: 'EIGER_LEGACY', frames: [json({ htype: 'series_end' })] }),
      'PROTOCOL_INVALID',
      /expected a STINS stream/,
    )
  })

  const blob = new Uint8Array(12)
  it.each([
    ['no parts', [], /no parts/],
    ['bad JSON', [new TextEncoder().encode('{"htype": ')], /not UTF-8 JSON/],
    ['bad UTF-8', [Uint8Array.of(0xff, 0xfe)], /not UTF-8 JSON/],
    ['no htype', [json({ msg_number: 1 })], /htype/],
    ['an unknown htype', [json({ htype: 'dimage-1.0' })], /unknown htype 'dimage-1.0'/],
    ['a header without msg_number', [json({ htype: 'header' })], /msg_number/],
    ['an image without shape', [json(image({ shape: undefined })), blob], /shape/],
    ['an unknown dtype', [json(image({ type: 'float16' })), blob], /unknown dtype 'float16'/],
    ['an unknown compression', [json(image({ compression: 'lz4' })), blob], /compression 'lz4'/],
    ['an image without data', [json(image())], /no data part/],
    ['a blob of the wrong size', [json(image()), new Uint8Array(10)], /10 bytes.*needs 12/],
    [
      'a bslz4 blob for another size',
      [json(image({ compression: 'bslz4' })), encodeBitshuffleLz4(new Uint8Array(14), 2)],
      /announces 14 bytes/,
    ],
  ])('rejects %s with PROTOCOL_INVALID', (_what, frames, message) => {
    expectProtocolError(() => parseStinsFrames(frames), 'PROTOCOL_INVALID', message)
  })

  it('rejects truncated and corrupt bslz4 data with DECODE_FAILED', () => {
    const header = json(image({ shape: [64], compression: 'bslz4' }))
    const full = encodeBitshuffleLz4(new Uint8Array(128).fill(3), 2, { blockElements: 16 })
    expectProtocolError(
      () => parseStinsFrames([header, full.subarray(0, full.length - 3)]),
      'DECODE_FAILED',
      /frame 2 part 0: bslz4 blob truncated: .* 48 of 64 elements/,
    )
    const corrupt = full.slice()
    corrupt[16] = 0x0f // first block: a match before any output
    expectProtocolError(() => parseStinsFrames([header, corrupt]), 'DECODE_FAILED', /block 0/)
  })
})
