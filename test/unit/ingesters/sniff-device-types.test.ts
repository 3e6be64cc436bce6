import { Encoder, Tag } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { sniffAlbaemType } from '../../../ingesters/albaem/albaem-upstream.js'
import { sniffEigerV2Type } from '../../../ingesters/eiger-v2/sniff-eiger-v2-type.js'
import {
  encodeAlbaemEnd,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
} from '../../../src/index.js'

const cbor = new Encoder({ useRecords: false })
const utf8 = new TextEncoder()

describe('sniffEigerV2Type', () => {
  it('reads the type of each Stream V2 message from its first bytes', () => {
    const series = { seriesId: 1, seriesUniqueId: 'u' }
    expect(sniffEigerV2Type(encodeEigerV2Start({ ...series, channels: [] })[0])).toBe('start')
    const image = encodeEigerV2Image({
      ...series,
      imageId: 0,
      images: { t: { shape: [2, 2], data: new Uint16Array(4) } },
    })[0] as Uint8Array
    expect(sniffEigerV2Type(image)).toBe('image')
    // Even when the rest is cut off.
    expect(sniffEigerV2Type(image.subarray(0, 17))).toBe('image')
    expect(sniffEigerV2Type(encodeEigerV2End(series)[0])).toBe('end')
  })

  it('finds type when it is not the first key, with or without the self-describe tag', () => {
    expect(sniffEigerV2Type(cbor.encode({ series_id: 3, type: 'end' }))).toBe('end')
    expect(sniffEigerV2Type(cbor.encode(new Tag({ a: [1, 2], type: 'image' }, 55_799)))).toBe(
      'image',
    )
  })

  it('is undefined for bytes without a type', () => {
    expect(sniffEigerV2Type(utf8.encode('not CBOR'))).toBeUndefined()
    expect(sniffEigerV2Type(cbor.encode({ kind: 'image' }))).toBeUndefined()
    expect(sniffEigerV2Type(undefined)).toBeUndefined()
  })
})

describe('sniffAlbaemType', () => {
  it('reads message_type without parsing the JSON, even from a broken message', () => {
    expect(sniffAlbaemType(encodeAlbaemEnd({ messageId: 1 })[0])).toBe('series-end')
    expect(sniffAlbaemType(utf8.encode('{"message_type": "data", "frame_num'))).toBe('data')
    expect(sniffAlbaemType(utf8.encode('{"version": 1}'))).toBeUndefined()
  })
})
