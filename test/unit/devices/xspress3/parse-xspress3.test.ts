import { readFileSync } from 'node:fs'
import path from 'node:path'
import { decodeMultiple } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { toNumpyArray, writePickle } from '../../../../src/codec/pickle-writer.js'
import { isMessageKind } from '../../../../src/devices/device-message.js'
import {
  encodeXspress3End,
  encodeXspress3Frame,
  encodeXspress3Header,
} from '../../../../src/devices/xspress3/encode-xspress3.js'
import {
  parseXspress3,
  parseXspress3Frames,
  XSPRESS3_TYP,
  type Xspress3Data,
} from '../../../../src/devices/xspress3/parse-xspress3.js'
import { XSPRESS3_META_NAMES } from '../../../../src/devices/xspress3/xspress3-messages.js'

function rawCapture(name: string): Uint8Array[][] {
  const file = readFileSync(path.resolve(process.cwd(), '../shared/fixtures', name))
  const messages: Uint8Array[][] = []
  decodeMultiple(file, (item: unknown) => {
    if (!Array.isArray(item) || !item.every((p) => p instanceof Uint8Array)) {
      throw new Error('not an array of byte strings')
    }
    messages.push(item)
  })
  return messages
}

/**
 * Groups a capture into events as the ingester does: an image header of one part is
 * followed by two more one-part messages (2021 form); everything else is one event.
 */
function events(messages: Uint8Array[][]): Uint8Array[][] {
  const out: Uint8Array[][] = []
  for (let i = 0; i < messages.length; i++) {
    const parts = messages[i]!
    const isImage = Buffer.from(parts[0]!).toString().includes('"image"')
    if (isImage && parts.length === 1) {
      out.push([...parts, ...messages[i + 1]!, ...messages[i + 2]!])
      i += 2
    } else out.push(parts)
  }
  return out
}

/** Sum of little-endian uint32 values, read byte by byte. */
function sumU32(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let sum = 0
  for (let at = 0; at < buf.length; at += 4) sum += buf.readUInt32LE(at)
  return sum
}

const dataOf = (frames: Uint8Array[]): Xspress3Data => {
  const msg = parseXspress3({ typ: XSPRESS3_TYP, frames })
  if (!isMessageKind(msg, 'data')) throw new Error(`not data but ${msg.kind}`)
  return msg
}

describe('parseXspress3 on the 2021 three-message capture', () => {
  const evs = events(rawCapture('xspress3-dump.cbors'))

  it('gives header, 20 frames, series_end', () => {
    const msgs = evs.map((frames) => parseXspress3Frames(frames))
    expect(msgs.map((m) => m.kind)).toEqual(['start', ...Array<string>(20).fill('data'), 'end'])
    const start = msgs[0]!
    if (!isMessageKind(start, 'start')) throw new Error('not a start')
    expect(start.filename).toMatch(/scan_000002_xspress3\.hdf5$/)
    expect(start.header.overwritable).toBe(false)
  })

  it('decodes spectra [4, 4096] whose sum matches the raw bytes', () => {
    for (let i = 1; i <= 20; i++) {
      const frames = evs[i]!
      const data = dataOf(frames)
      expect(data.frame).toBe(i - 1)
      expect(data.shape).toEqual([4, 4096])
      expect(data.dtype.name).toBe('uint32')
      expect(data.spectra).toBeInstanceOf(Uint32Array)
      expect(data.spectra.length).toBe(4 * 4096)
      let sum = 0
      for (const v of data.spectra) sum += Number(v)
      expect(sum).toBe(sumU32(frames[1]!))
    }
    expect(sumU32(evs[1]![1]!)).toBeGreaterThan(0)
    expect(dataOf(evs[1]!).exptime).toBe(0.099999875)
  })

  it('names the 8 metadata arrays as Dranspose does', () => {
    const { meta } = dataOf(evs[1]!)
    expect(Object.keys(meta)).toEqual(XSPRESS3_META_NAMES.slice(0, 8))
    expect(meta.AllEvents?.data).toEqual(new Uint32Array([2, 0, 0, 3]))
    expect(meta.ClockTicks?.data).toEqual(new Uint32Array([7999990, 7999990, 7999990, 7999990]))
    expect(meta.ResetTicks?.data).toEqual(new Uint32Array([0, 0, 0, 91]))
    expect(meta.event_widths?.data).toEqual(new Int32Array([6, 6, 6, 6]))
    expect(meta.dtc?.data[3]).toBeCloseTo(1.000014, 6)
  })
})

describe('parseXspress3 on the 2024 one-message capture', () => {
  const evs = events(rawCapture('xspress3-multipart.cbors'))

  it('gives header (with extra_tags passed through), 5 frames, series_end', () => {
    const msgs = evs.map((frames) => parseXspress3Frames(frames))
    expect(msgs.map((m) => m.kind)).toEqual(['start', ...Array<string>(5).fill('data'), 'end'])
    const start = msgs[0]!
    if (!isMessageKind(start, 'start')) throw new Error('not a start')
    expect(start.header.extra_tags).toHaveLength(9)
  })

  it('reads 9 metadata arrays including window_counts [2, 4]', () => {
    for (let i = 1; i <= 5; i++) {
      const data = dataOf(evs[i]!)
      expect(data.frame).toBe(i - 1)
      let sum = 0
      for (const v of data.spectra) sum += Number(v)
      expect(sum).toBe(sumU32(evs[i]![1]!))
      expect(Object.keys(data.meta)).toEqual([...XSPRESS3_META_NAMES])
      expect(data.meta.window_counts?.shape).toEqual([2, 4])
      expect(data.meta.window_counts?.typestr).toBe('<u4')
    }
    expect(dataOf(evs[1]!).meta.AllEvents?.data).toEqual(new Uint32Array([0, 0, 0, 12303]))
  })
})

describe('encodeXspress3* → parseXspress3', () => {
  it('round-trips header, frame and end', () => {
    const header = parseXspress3Frames(
      encodeXspress3Header({ filename: '/d/x.h5', extra: { a: 1 } }),
    )
    expect(header).toMatchObject({ kind: 'start', filename: '/d/x.h5', header: { a: 1 } })
    const spectra = Uint32Array.from({ length: 2 * 4096 }, (_, i) => i % 7)
    const meta = XSPRESS3_META_NAMES.map((_, i) => toNumpyArray(new Uint32Array([i, i + 1])))
    for (const metaProtocol of [3, 4] as const) {
      const frames = encodeXspress3Frame({
        frame: 3,
        spectra,
        shape: [2, 4096],
        meta,
        metaProtocol,
      })
      expect(frames).toHaveLength(3)
      const data = dataOf(frames)
      expect(data).toMatchObject({ frame: 3, shape: [2, 4096], exptime: 0.1 })
      expect(data.spectra).toEqual(spectra)
      expect(Object.keys(data.meta)).toEqual([...XSPRESS3_META_NAMES])
      expect(data.meta.dtc?.data).toEqual(new Uint32Array([7, 8]))
    }
    expect(parseXspress3Frames(encodeXspress3End())).toMatchObject({ kind: 'end' })
  })

  it('refuses spectra that do not match the shape', () => {
    expect(() =>
      encodeXspress3Frame({ frame: 0, spectra: new Uint32Array(3), shape: [1, 4], meta: [] }),
    ).toThrow(/do not match/)
  })
})

describe('parseXspress3 refuses malformed messages', () => {
  const image = (fields: Record<string, unknown> = {}) =>
    new TextEncoder().encode(
      JSON.stringify({ htype: 'image', frame: 0, shape: [1, 4], type: 'uint32', ...fields }),
    )
  const meta = writePickle([toNumpyArray(new Uint32Array([1]))])

  it.each([
    ['no parts', [], /no parts/],
    ['non-JSON', [new Uint8Array([0xff])], /not UTF-8 JSON/],
    ['unknown htype', [new TextEncoder().encode('{"htype":"x"}')], /unknown htype 'x'/],
    ['header without filename', [new TextEncoder().encode('{"htype":"header"}')], /filename/],
    ['image with one part', [image()], /1 parts/],
    ['short spectra', [image(), new Uint8Array(12), meta], /12 bytes of spectra, expected 16/],
    ['bad dtype', [image({ type: 'complex' }), new Uint8Array(16), meta], /unknown dtype/],
    ['compression', [image({ compression: 'lz4' }), new Uint8Array(16), meta], /compression 'lz4'/],
    ['metadata not a list', [image(), new Uint8Array(16), writePickle({ a: 1 })], /not a list/],
    [
      'metadata not arrays',
      [image(), new Uint8Array(16), writePickle([1])],
      /item 0 is not a numpy/,
    ],
    ['evil metadata', [image(), new Uint8Array(16), Buffer.from('cos\nsystem\n.')], /'os.system'/],
  ])('%s', (_name, frames, message) => {
    expect(() => parseXspress3Frames(frames)).toThrow(message)
  })

  it('refuses another typ', () => {
    expect(() => parseXspress3({ typ: 'contrast', frames: [] })).toThrow(/typ 'contrast'/)
  })
})
