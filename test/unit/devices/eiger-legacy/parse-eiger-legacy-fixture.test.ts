import { describe, expect, it } from 'vitest'
import {
  EIGER_LEGACY_TYP,
  type EigerLegacyData,
  parseEigerLegacy,
} from '../../../../src/devices/eiger-legacy/parse-eiger-legacy.js'
import { readCapture } from './read-capture.js'

// Eiger Stream V1 capture from MAX IV (see ../shared/fixtures/README.md): a 9-part header,
// three 3108×3262 uint32 bs32-lz4 images whose blobs were cut to 20,000 bytes, a series end.
const messages = readCapture('eiger-small.cbors').map((frames) =>
  parseEigerLegacy({ typ: EIGER_LEGACY_TYP, frames }),
)

function image(i: number): EigerLegacyData {
  const msg = messages[i]
  if (msg?.kind !== 'data') throw new Error(`message ${i} is not an image`)
  return msg
}

function pixels(i: number): Uint32Array {
  const data = image(i).image.data
  if (!(data instanceof Uint32Array)) throw new Error('expected uint32 pixels')
  return data
}

function sums(data: Uint32Array): { saturated: number; rest: number } {
  let saturated = 0
  let rest = 0
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!
    if (v === 0xffff_ffff) saturated++
    else rest += v
  }
  return { saturated, rest }
}

describe('parseEigerLegacy on the MAX IV capture', () => {
  it('reads the series as start, three images, end', () => {
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
  })

  it('reads the 9-part header: config, truncated flatfield and mask, countrate table, appendix', () => {
    const start = messages[0]
    if (start?.kind !== 'start') throw new Error('expected the header first')
    expect(start.series).toBe(6)
    expect(start.headerDetail).toBe('all')
    expect(start.config?.x_pixels_in_detector).toBe(3108)
    expect(start.config?.description).toBe('Dectris EIGER2 CdTe 9M')
    expect(start.flatfield?.shape).toEqual([3262, 3108])
    expect(start.flatfield?.dtype.name).toBe('float32')
    // 20,000 bytes of a 40 MB flatfield: 5,000 whole float32 elements.
    expect(start.flatfield?.complete).toBe(false)
    expect(start.flatfield?.data).toHaveLength(5000)
    expect(start.flatfield?.data[0]).toBeCloseTo(1.0448, 3)
    expect(start.pixelMask?.dtype.name).toBe('uint32')
    expect(start.pixelMask?.complete).toBe(false)
    // The countrate table is whole: [2, 1001] on the wire → 1001 rows of 2.
    expect(start.countrateTable?.shape).toEqual([1001, 2])
    expect(start.countrateTable?.complete).toBe(true)
    expect(start.countrateTable?.data).toHaveLength(2002)
    expect(start.appendix).toMatchObject({ collect_dict: { col_id: 128579 } })
  })

  it('decodes the whole blocks of each cut image and says it is incomplete', () => {
    for (const i of [1, 2, 3]) {
      const msg = image(i)
      expect(msg.frame).toBe(i - 1)
      expect(msg.series).toBe(6)
      expect(msg.compression).toBe('bslz4')
      expect(msg.image.shape).toEqual([3262, 3108])
      expect(msg.image.dtype.name).toBe('uint32')
      expect(msg.image.complete).toBe(false)
      expect(msg.image.data).toHaveLength(123 * 2048)
      expect(msg.image.data).toBeInstanceOf(Uint32Array)
      expect(msg.realTimeNs).toBe(9_999_900)
      expect(msg.appendix).toEqual({})
    }
    expect(image(2).startTimeNs).toBe(103_597_369_252_740)
  })

  it('decodes the pixel values stated for the capture', () => {
    expect(sums(pixels(1))).toEqual({
      saturated: 2708,
      rest: 1185,
    })
    expect(sums(pixels(2)).rest).toBe(1070)
    expect(sums(pixels(3)).rest).toBe(1177)
  })

  it('reads the series end', () => {
    expect(messages[4]).toMatchObject({ kind: 'end', series: 6 })
  })
})
