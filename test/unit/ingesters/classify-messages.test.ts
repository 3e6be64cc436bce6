import { Encoder, Tag } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { classifyAlbaem } from '../../../ingesters/albaem/albaem-upstream.js'
import { type Classified, classifyJsonMessage } from '../../../ingesters/base/classify-json.js'
import { EIGER_LEGACY_PROTOCOL } from '../../../ingesters/eiger-legacy/eiger-legacy-upstream.js'
import { classifyEigerV2 } from '../../../ingesters/eiger-v2/classify-eiger-v2.js'
import { classifyLecroy } from '../../../ingesters/lecroy/lecroy-upstream.js'
import { STINS_PROTOCOL } from '../../../ingesters/stins/stins-upstream.js'
import { classifyXspress3 } from '../../../ingesters/xspress3/xspress3-upstream.js'
import {
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
  encodeEigerLegacyEnd,
  encodeEigerLegacyHeader,
  encodeEigerLegacyImage,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  encodeXspress3End,
  encodeXspress3Header,
  readRawCapture,
} from '../../../src/internal.js'
import { fixturePath } from '../../harness/fixtures.js'

const utf8 = new TextEncoder()
const json = (value: unknown) => utf8.encode(JSON.stringify(value))
const cbor = new Encoder({ useRecords: false })
const stins = (parts: readonly Uint8Array[]) => classifyJsonMessage(STINS_PROTOCOL, parts)
const eigerV1 = (parts: readonly Uint8Array[]) => classifyJsonMessage(EIGER_LEGACY_PROTOCOL, parts)
const blob = new Uint8Array(8)

/** The reason of an invalid classification (fails the test for a valid one). */
function reason(c: Classified): string {
  expect(c.kind).toBe('invalid')
  return c.kind === 'invalid' ? c.reason : ''
}

describe('STINS classification', () => {
  const image = (frame: number) =>
    encodeStinsImage({
      msgNumber: frame + 1,
      frame,
      shape: [2, 2],
      data: new Uint16Array(4),
    })

  it('tells header, image (with its frame number) and series_end apart by htype', () => {
    expect(stins(encodeStinsHeader({ msgNumber: 0, filename: 'a.h5' }))).toEqual({ kind: 'start' })
    expect(stins(image(0))).toEqual({ kind: 'data', frame: 0 })
    expect(stins(image(41))).toEqual({ kind: 'data', frame: 41 })
    expect(stins(encodeStinsEnd({ msgNumber: 9 }))).toEqual({ kind: 'end' })
    // Multi-threshold detectors send one blob per threshold.
    expect(stins([image(3)[0]!, blob, blob])).toEqual({ kind: 'data', frame: 3 })
  })

  it('finds every kind of junk invalid, with a reason', () => {
    const header = image(5)[0]!
    expect(reason(stins([header]))).toMatch(/image message with 1 parts \(expected 2 or more\)/)
    expect(reason(stins([]))).toMatch(/without parts/)
    expect(reason(stins([utf8.encode('{"htype": "image", "frame": 5'), blob]))).toMatch(
      /not valid UTF-8 JSON/,
    )
    expect(reason(stins([utf8.encode('garbage'), blob]))).toMatch(/first part is not JSON/)
    expect(reason(stins([new Uint8Array([0x7b, 0xff, 0xfe]), blob]))).toMatch(/not valid UTF-8/)
    expect(reason(stins([json(['htype', 'image']), blob]))).toMatch(/first part is not JSON/)
    expect(reason(stins([json({ htype: 'calibration' })]))).toMatch(/unknown htype 'calibration'/)
    expect(reason(stins([json({ htype: 7, frame: 1 }), blob]))).toMatch(/without a htype string/)
    expect(reason(stins([json({ frame: 1 }), blob]))).toMatch(/without a htype string/)
    for (const frame of ['5', -1, 1.5, null, 2 ** 60]) {
      expect(reason(stins([json({ htype: 'image', frame }), blob]))).toMatch(
        /frame is not a frame number/,
      )
    }
    expect(reason(stins([json({ htype: 'image' }), blob]))).toMatch(/frame is not a frame number/)
  })
})

describe('Eiger Stream V1 classification', () => {
  it('classifies the real recording: a 9-part header, 5-part images 0–2, a 1-part end', async () => {
    const kinds: Classified[] = []
    for await (const parts of readRawCapture(fixturePath('eiger-small.cbors'))) {
      kinds.push(eigerV1(parts))
    }
    expect(kinds).toEqual([
      { kind: 'start' },
      { kind: 'data', frame: 0 },
      { kind: 'data', frame: 1 },
      { kind: 'data', frame: 2 },
      { kind: 'end' },
    ])
  })

  it('checks the part count of each kind', () => {
    const header = encodeEigerLegacyHeader({
      series: 1,
      headerDetail: 'basic',
      config: { nimages: 1 },
    })
    expect(eigerV1(header)).toEqual({ kind: 'start' })
    const image = encodeEigerLegacyImage({
      series: 1,
      frame: 4,
      shape: [2, 2],
      data: new Uint32Array(4),
    })
    expect(eigerV1(image)).toEqual({ kind: 'data', frame: 4 })
    expect(reason(eigerV1(image.slice(0, 3)))).toMatch(/with 3 parts \(expected 4–5\)/)
    const end = encodeEigerLegacyEnd({ series: 1 })
    expect(reason(eigerV1([...end, blob]))).toMatch(/with 2 parts \(expected 1\)/)
    expect(reason(eigerV1([json({ htype: 'dimage-1.0', series: 1 }), blob, blob, blob]))).toMatch(
      /frame is not a frame number: absent/,
    )
  })
})

describe('Eiger Stream V2 classification', () => {
  const series = { seriesId: 3, seriesUniqueId: 's3' }
  const image = (imageId: number) =>
    encodeEigerV2Image({
      ...series,
      imageId,
      images: { t: { shape: [2, 2], data: new Uint16Array(4) } },
    })[0] as Uint8Array

  it('reads type and image_id from the first bytes, without decoding the image', () => {
    expect(classifyEigerV2(encodeEigerV2Start({ ...series, channels: [] }))).toEqual({
      kind: 'start',
    })
    expect(classifyEigerV2([image(0)])).toEqual({ kind: 'data', frame: 0 })
    expect(classifyEigerV2([image(70_000)])).toEqual({ kind: 'data', frame: 70_000 })
    expect(classifyEigerV2(encodeEigerV2End(series))).toEqual({ kind: 'end' })
    // The image itself may be cut off: the parser in the worker says so.
    expect(classifyEigerV2([image(9).subarray(0, 60)])).toEqual({ kind: 'data', frame: 9 })
    // Keys in another order, with or without the self-describe tag.
    expect(classifyEigerV2([cbor.encode({ data: [1, 2], image_id: 5, type: 'image' })])).toEqual({
      kind: 'data',
      frame: 5,
    })
    expect(classifyEigerV2([cbor.encode(new Tag({ x: 'y', type: 'end' }, 55_799))])).toEqual({
      kind: 'end',
    })
  })

  it('finds every kind of junk invalid, with a reason', () => {
    expect(reason(classifyEigerV2([image(1), blob]))).toMatch(/with 2 parts \(expected 1\)/)
    expect(reason(classifyEigerV2([]))).toMatch(/with 0 parts/)
    expect(reason(classifyEigerV2([utf8.encode('not CBOR at all')]))).toMatch(/not a CBOR map/)
    expect(reason(classifyEigerV2([cbor.encode(['type', 'image'])]))).toMatch(/not a CBOR map/)
    expect(reason(classifyEigerV2([cbor.encode({ type: 'calibration' })]))).toMatch(
      /unknown type 'calibration'/,
    )
    expect(reason(classifyEigerV2([cbor.encode({ type: 7 })]))).toMatch(/'type' that is not/)
    expect(reason(classifyEigerV2([cbor.encode({ series_id: 1 })]))).toMatch(/has no type/)
    expect(reason(classifyEigerV2([cbor.encode({ type: 'image', series_id: 1 })]))).toMatch(
      /image that has no image_id/,
    )
    for (const id of ['3', -1, 1.5]) {
      expect(reason(classifyEigerV2([cbor.encode({ type: 'image', image_id: id })]))).toMatch(
        /'image_id' that is not an unsigned integer/,
      )
    }
    // Cut off before the image_id.
    expect(reason(classifyEigerV2([image(2).subarray(0, 30)]))).toMatch(/not well-formed CBOR/)
  })
})

describe('Xspress3 classification', () => {
  it('takes a 3-part frame or the 1-part head of a three-message frame, with its frame number', () => {
    expect(classifyXspress3(encodeXspress3Header({ filename: 'x.h5' }))).toEqual({ kind: 'start' })
    const head = json({ htype: 'image', frame: 7, shape: [1, 4], type: 'uint32' })
    expect(classifyXspress3([head, blob, blob])).toEqual({ kind: 'data', frame: 7 })
    expect(classifyXspress3([head])).toEqual({ kind: 'data', frame: 7 })
    expect(classifyXspress3(encodeXspress3End())).toEqual({ kind: 'end' })
  })

  it('finds a truncated multipart frame, bad JSON and a missing frame number invalid', () => {
    const head = json({ htype: 'image', frame: 7 })
    expect(reason(classifyXspress3([head, blob]))).toMatch(/image message with 2 parts/)
    expect(reason(classifyXspress3([head, blob, blob, blob]))).toMatch(/with 4 parts/)
    expect(reason(classifyXspress3([utf8.encode('{"htype": "image", "fr')]))).toMatch(/JSON/)
    expect(reason(classifyXspress3([json({ htype: 'image', frame: 'x' }), blob, blob]))).toMatch(
      /frame is not a frame number/,
    )
  })
})

describe('AlbaEM classification', () => {
  const data = (frameNumber: number) =>
    encodeAlbaemData({
      messageId: frameNumber + 2,
      frameNumber,
      timestamp: 1,
      acquisitionTimestampNs: 1e18,
      currents: [1e-12],
    })

  it('tells the messages apart by message_type, data by frame_number', () => {
    expect(classifyAlbaem(encodeAlbaemStart({ messageId: 1 }))).toEqual({ kind: 'start' })
    expect(classifyAlbaem(data(3))).toEqual({ kind: 'data', frame: 3 })
    expect(classifyAlbaem(encodeAlbaemEnd({ messageId: 9 }))).toEqual({ kind: 'end' })
  })

  it('finds a second part, broken JSON and an unknown message_type invalid', () => {
    expect(reason(classifyAlbaem([...data(1), blob]))).toMatch(/data message with 2 parts/)
    const broken = data(2)[0]!.subarray(0, 40)
    expect(reason(classifyAlbaem([broken]))).toMatch(/not valid UTF-8 JSON/)
    expect(reason(classifyAlbaem([json({ message_type: 'status' })]))).toMatch(
      /unknown message_type 'status'/,
    )
    expect(reason(classifyAlbaem([json({ message_type: 'data', frame_number: '1' })]))).toMatch(
      /frame_number is not a frame number/,
    )
  })
})

describe('LeCroy classification', () => {
  const traces = () =>
    encodeLecroyTraces({
      channel: 1,
      ts: 1,
      frame: 2,
      data: new Float64Array([1, 2]),
      shape: [1, 2],
      horizOffset: 0,
      horizInterval: 1e-9,
      timestamps: [1],
    })

  it('reads what, seqno and ntriggers of the small JSON part; traces take 3 parts', () => {
    expect(classifyLecroy(encodeLecroyPrepare(0))).toEqual({ kind: 'prepare' })
    expect(
      classifyLecroy(encodeLecroySeqStart({ frame: 1, ntriggers: 3, seqno: 4, channels: [1] })),
    ).toEqual({ kind: 'seq-start', seqno: 4, continuous: false })
    expect(
      classifyLecroy(encodeLecroySeqStart({ frame: 1, ntriggers: -1, seqno: 0, channels: [1] })),
    ).toEqual({ kind: 'seq-start', seqno: 0, continuous: true })
    expect(classifyLecroy(traces())).toEqual({ kind: 'traces' })
    expect(classifyLecroy(encodeLecroySeqEnd(3))).toEqual({ kind: 'seq-end' })
    expect(classifyLecroy(encodeLecroyStop(4, 4))).toEqual({ kind: 'stop' })
  })

  it('finds a truncated traces message and unknown messages invalid', () => {
    expect(classifyLecroy(traces().slice(0, 2))).toMatchObject({
      kind: 'invalid',
      reason: 'LeCroy traces message with 2 parts (expected 3)',
    })
    expect(classifyLecroy([json({ htype: 'msg', what: 9 })])).toMatchObject({ kind: 'invalid' })
    expect(classifyLecroy([utf8.encode('\x00 binary')])).toMatchObject({ kind: 'invalid' })
  })
})
