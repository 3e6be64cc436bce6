import { describe, expect, it } from 'vitest'
import {
  ALBAEM_TYP,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeContrastMessage,
  encodeSardanaEnd,
  encodeStinsHeader,
  encodeStinsImage,
  parseStream,
  SARDANA_TYP,
  STINS_TYP,
} from '../../../src/internal.js'

describe('parseStream dispatches on the stream typ', () => {
  it('parses STINS, AlbaEM, Sardana and Contrast frames with their own parser', () => {
    const start = parseStream({
      typ: STINS_TYP,
      frames: encodeStinsHeader({ msgNumber: 0, filename: 'x.h5' }),
    })
    expect(start).toMatchObject({ protocol: 'stins', kind: 'start', filename: 'x.h5' })
    const image = parseStream({
      typ: STINS_TYP,
      frames: encodeStinsImage({
        msgNumber: 1,
        frame: 0,
        shape: [2, 2],
        data: new Uint16Array([1, 2, 3, 4]),
      }),
    })
    expect(
      image.protocol === 'stins' && image.kind === 'data' && Array.from(image.data, Number),
    ).toEqual([1, 2, 3, 4])
    const alba = parseStream({
      typ: ALBAEM_TYP,
      frames: encodeAlbaemData({
        messageId: 1,
        frameNumber: 0,
        timestamp: 0,
        acquisitionTimestampNs: 0,
        currents: [1.5, 2.5],
      }),
    })
    expect(alba.protocol === 'albaem' && alba.kind === 'data' && Array.from(alba.currents)).toEqual(
      [1.5, 2.5],
    )
    expect(parseStream({ typ: ALBAEM_TYP, frames: encodeAlbaemEnd({ messageId: 2 }) }).kind).toBe(
      'end',
    )
    expect(parseStream({ typ: SARDANA_TYP, frames: encodeSardanaEnd() })).toMatchObject({
      protocol: 'sardana',
      kind: 'end',
    })
    expect(
      parseStream({ typ: 'contrast', frames: encodeContrastMessage({ kind: 'heartbeat' }) }),
    ).toMatchObject({
      protocol: 'contrast',
      kind: 'heartbeat',
    })
  })

  it('names an unknown typ', () => {
    expect(() => parseStream({ typ: 'nope', frames: [] })).toThrow(
      "no parser for stream typ 'nope'",
    )
  })
})
