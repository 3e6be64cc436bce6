import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode as decodeCbor, Encoder } from 'cbor-x'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAlbaemSimulator } from '../../../ingesters/albaem/albaem-simulator.js'
import { createAlbaemUpstreamFactory } from '../../../ingesters/albaem/albaem-upstream.js'
import { IngesterConfig } from '../../../ingesters/base/ingester-config.js'
import type { UpstreamFactory } from '../../../ingesters/base/upstream.js'
import type { DeviceSimulator } from '../../../ingesters/base/zmq-simulator.js'
import { createContrastSimulator } from '../../../ingesters/contrast/contrast-simulator.js'
import { createContrastUpstreamFactory } from '../../../ingesters/contrast/contrast-upstream.js'
import { createEigerLegacySimulator } from '../../../ingesters/eiger-legacy/eiger-legacy-simulator.js'
import { createEigerLegacyUpstreamFactory } from '../../../ingesters/eiger-legacy/eiger-legacy-upstream.js'
import { createEigerV2Simulator } from '../../../ingesters/eiger-v2/eiger-v2-simulator.js'
import { createEigerV2UpstreamFactory } from '../../../ingesters/eiger-v2/eiger-v2-upstream.js'
import { createLecroySimulator } from '../../../ingesters/lecroy/lecroy-simulator.js'
import { createLecroyUpstreamFactory } from '../../../ingesters/lecroy/lecroy-upstream.js'
import { createPcapZmqSimulator } from '../../../ingesters/pcap/pcap-zmq-simulator.js'
import {
  createPcapZmqUpstreamFactory,
  parsePcapZmqUrl,
} from '../../../ingesters/pcap/pcap-zmq-upstream.js'
import { createSardanaIngester } from '../../../ingesters/sardana/sardana-ingester.js'
import { createStinsSimulator } from '../../../ingesters/stins/stins-simulator.js'
import { createStinsUpstreamFactory } from '../../../ingesters/stins/stins-upstream.js'
import { createXspress3Simulator } from '../../../ingesters/xspress3/xspress3-simulator.js'
import { createXspress3UpstreamFactory } from '../../../ingesters/xspress3/xspress3-upstream.js'
import {
  createRawCaptureWriter,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
  encodeContrastMessage,
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
  encodePcapZmqData,
  encodePcapZmqEnd,
  encodePcapZmqStart,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  encodeXspress3End,
  encodeXspress3Frame,
  encodeXspress3Header,
  MISSING_FRAME_TYP,
  missingFrameError,
  parseStream,
  type StreamData,
  toNumpyArray,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

/**
 * Device garbage never shifts frames. For each device kind, a series from its simulator (the
 * real protocol, replayed from a capture made here) with junk injected mid-series — a wrong
 * part count, bad JSON, bytes that are not JSON, an unknown type, a frame number of the wrong
 * type, a truncated multipart message, a repeated frame and lost frames — goes through a real
 * ingester to a fake worker. Event by event, the frame number inside the forwarded frame must
 * be the event's (event k + 1 carries data frame k), a lost frame's event must carry a
 * missing-frame marker naming it, and the counters must say what was dropped. Contrast numbers
 * no points (arrival order: its junk only). Sardana refuses malformed posts with 400, so they
 * never reach a scan; the PandABox TCP data port's malformed sample lines are covered in
 * pcap-tcp.test.ts.
 */

const utf8 = new TextEncoder()
const text = new TextDecoder()
const cbor = new Encoder({ useRecords: false })
/** Data frames of each series (events: a start, these, an end). */
const FRAMES = 12
/** A frame repeated right after itself (devices that number their frames). */
const DUPLICATED = 3
/** Frames lost upstream (never sent). */
const LOST = [6, 7]

type Message = Uint8Array[]
type Junk = { readonly label: string; readonly messages: Message[]; readonly invalid: number }

interface DeviceCase {
  readonly name: string
  readonly stream: string
  /** Whether the protocol numbers its frames (else duplicates and gaps cannot be seen). */
  readonly numbered: boolean
  readonly start: () => Message[]
  readonly data: (k: number) => Message[]
  readonly end: () => Message[]
  /** Junk to inject, each just before data frame `k` (its frame number, where it has one, is k). */
  readonly junk: (k: number) => Junk[]
  readonly simulator: (capture: string) => DeviceSimulator
  readonly upstream: (url: string) => UpstreamFactory
  /** The frame number inside a forwarded frame (`start`/`end` for those). */
  readonly frameOf: (data: StreamData) => number | 'start' | 'end'
}

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple
const bind = 'tcp://127.0.0.1:*'

/** A JSON part with `patch` applied to the JSON of `part`. */
function patchJson(part: Uint8Array, patch: Record<string, unknown>): Uint8Array {
  return utf8.encode(JSON.stringify({ ...JSON.parse(text.decode(part)), ...patch }))
}

/**
 * The junk every protocol whose messages start with a JSON header can be sent, made from a good
 * data message: `wrongCounts` are that message with parts missing (a truncated multipart
 * message) or too many, by the protocol's own counts.
 */
function jsonJunk(
  good: Message,
  fields: { type: string; frame: string },
  wrongCounts: readonly Message[],
): Junk[] {
  const [head, ...rest] = good as [Uint8Array, ...Uint8Array[]]
  return [
    ...wrongCounts.map((m) => ({ label: `${m.length} parts`, messages: [m], invalid: 1 })),
    {
      label: 'bad JSON',
      messages: [[head.subarray(0, head.length - 5), ...rest]],
      invalid: 1,
    },
    {
      label: 'not JSON',
      messages: [[utf8.encode('\x00\x01 not json at all'), ...rest]],
      invalid: 1,
    },
    {
      label: 'unknown type',
      messages: [[patchJson(head, { [fields.type]: 'calibration' }), ...rest]],
      invalid: 1,
    },
    {
      label: 'frame of the wrong type',
      messages: [[patchJson(head, { [fields.frame]: 'seven' }), ...rest]],
      invalid: 1,
    },
  ]
}

const extra = utf8.encode('one part too many')

const frameOfParsed = (data: StreamData): number | 'start' | 'end' => {
  const m = parseStream(data)
  if (m.kind === 'start' || m.kind === 'end') return m.kind
  switch (m.protocol) {
    case 'stins':
    case 'eiger-legacy':
    case 'xspress3':
      return m.frame
    case 'eiger-v2':
      return m.imageId
    case 'albaem':
    case 'pcap':
      return m.frameNumber
    case 'lecroy':
      return m.seqno
    case 'contrast':
      return 'positions' in m ? (m.positions.sx ?? -1) : -1
    default:
      throw new Error(`unexpected ${m.protocol}`)
  }
}

const stins: DeviceCase = {
  name: 'STINS',
  stream: 'cam',
  numbered: true,
  start: () => [encodeStinsHeader({ msgNumber: 0, filename: 'garbage.h5' })],
  data: (k) => [
    encodeStinsImage({
      msgNumber: k + 1,
      frame: k,
      shape: [2, 3],
      data: Uint16Array.from({ length: 6 }, (_, i) => k * 10 + i),
    }),
  ],
  end: () => [encodeStinsEnd({ msgNumber: FRAMES + 1 })],
  junk: (k) => {
    // An image takes one blob per threshold: only too few parts is a wrong count.
    const good = stins.data(k)[0]!
    return jsonJunk(good, { type: 'htype', frame: 'frame' }, [good.slice(0, 1)])
  },
  simulator: (capture) =>
    createStinsSimulator({
      bind,
      frames: 0,
      shape: [2, 3],
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
      capture,
    }),
  upstream: (url) => createStinsUpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const eigerV1: DeviceCase = {
  name: 'Eiger Stream V1',
  stream: 'eiger',
  numbered: true,
  start: () => [encodeEigerLegacyHeader({ series: 4, headerDetail: 'basic', config: { x: 1 } })],
  data: (k) => [
    encodeEigerLegacyImage({
      series: 4,
      frame: k,
      shape: [2, 2],
      data: Uint32Array.from([k, k, k, k]),
    }),
  ],
  end: () => [encodeEigerLegacyEnd({ series: 4 })],
  junk: (k) => {
    // An image has 4 parts, 5 with an appendix.
    const good = eigerV1.data(k)[0]!
    return jsonJunk(good, { type: 'htype', frame: 'frame' }, [
      good.slice(0, 3),
      [...good, extra, extra],
    ])
  },
  simulator: (capture) =>
    createEigerLegacySimulator({ bind, frames: 0, shape: [2, 2], rateHz: 0, capture }),
  upstream: (url) => createEigerLegacyUpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const eigerV2Series = { seriesId: 8, seriesUniqueId: 'garbage' }
const eigerV2: DeviceCase = {
  name: 'Eiger Stream V2',
  stream: 'eiger2',
  numbered: true,
  start: () => [encodeEigerV2Start({ ...eigerV2Series, channels: ['t'] })],
  data: (k) => [
    encodeEigerV2Image({
      ...eigerV2Series,
      imageId: k,
      compression: 'none',
      images: { t: { shape: [2, 2], data: Uint16Array.from([k, k, k, k]) } },
    }),
  ],
  end: () => [encodeEigerV2End(eigerV2Series)],
  junk: (k) => {
    const [good] = eigerV2.data(k)[0]! as [Uint8Array]
    // The message without its self-describe tag, as a map we can change.
    const map = decodeCbor(good.subarray(3)) as Record<string, unknown>
    return [
      { label: 'extra part', messages: [[good, utf8.encode('x')]], invalid: 1 },
      { label: 'not CBOR', messages: [[utf8.encode('\x00\x01 not cbor')]], invalid: 1 },
      {
        label: 'unknown type',
        messages: [[cbor.encode({ ...map, type: 'calibration' })]],
        invalid: 1,
      },
      {
        label: 'image_id of the wrong type',
        messages: [[cbor.encode({ ...map, image_id: 'seven' })]],
        invalid: 1,
      },
      { label: 'truncated before its image_id', messages: [[good.subarray(0, 20)]], invalid: 1 },
    ]
  },
  simulator: (capture) =>
    createEigerV2Simulator({ bind, frames: 0, shape: [2, 2], rateHz: 0, capture }),
  upstream: (url) => createEigerV2UpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const xspress3Frame = (k: number) =>
  encodeXspress3Frame({
    frame: k,
    spectra: Uint32Array.from([k, 1, 2, 3]),
    shape: [1, 4],
    meta: [toNumpyArray(new Float64Array([k]))],
  })

const xspress3Multipart: DeviceCase = {
  name: 'Xspress3 (one 3-part message per frame)',
  stream: 'xsp',
  numbered: true,
  start: () => [encodeXspress3Header({ filename: 'garbage.h5' })],
  data: (k) => [xspress3Frame(k)],
  end: () => [encodeXspress3End()],
  junk: (k) => {
    const good = xspress3Frame(k)
    return jsonJunk(good, { type: 'htype', frame: 'frame' }, [good.slice(0, 2), [...good, extra]])
  },
  simulator: (capture) => createXspress3Simulator({ bind, frames: 0, rateHz: 0, capture }),
  upstream: (url) => createXspress3UpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const xspress3ThreeMessages: DeviceCase = {
  ...xspress3Multipart,
  name: 'Xspress3 (three one-part messages per frame)',
  data: (k) => xspress3Frame(k).map((part) => [part]),
  junk: (k) => {
    const [head, spectra] = xspress3Frame(k) as [Uint8Array, Uint8Array, Uint8Array]
    return [
      { label: 'bad JSON', messages: [[head.subarray(0, head.length - 5)]], invalid: 1 },
      { label: 'not JSON', messages: [[utf8.encode('{ not json')]], invalid: 1 },
      {
        label: 'unknown type',
        messages: [[patchJson(head, { htype: 'calibration' })]],
        invalid: 1,
      },
      {
        label: 'frame of the wrong type',
        messages: [[patchJson(head, { frame: 'seven' })], [spectra]],
        // The JSON is dropped; its spectra then come where a JSON message is due.
        invalid: 2,
      },
      { label: 'frame broke off (no metadata)', messages: [[head], [spectra]], invalid: 1 },
      { label: 'a 2-part image', messages: [[head, spectra]], invalid: 1 },
    ]
  },
}

const albaem: DeviceCase = {
  name: 'AlbaEM',
  stream: 'em',
  numbered: true,
  start: () => [encodeAlbaemStart({ messageId: 1 })],
  data: (k) => [
    encodeAlbaemData({
      messageId: k + 2,
      frameNumber: k,
      timestamp: k,
      acquisitionTimestampNs: 1.7e18,
      currents: [k * 1e-12, 2e-12],
    }),
  ],
  end: () => [encodeAlbaemEnd({ messageId: FRAMES + 2 })],
  junk: (k) => {
    const good = albaem.data(k)[0]!
    return jsonJunk(good, { type: 'message_type', frame: 'frame_number' }, [[...good, extra]])
  },
  simulator: (capture) => createAlbaemSimulator({ bind, frames: 0, rateHz: 0, capture }),
  upstream: (url) => createAlbaemUpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const pcapZmq: DeviceCase = {
  name: 'PandABox zmq',
  stream: 'pcap',
  numbered: true,
  start: () => [encodePcapZmqStart({ messageId: 1, armTime: '2026-01-01T00:00:00Z' })],
  data: (k) => [encodePcapZmqData({ messageId: k + 2, frameNumber: k, columns: { x: [k] } })],
  end: () => [encodePcapZmqEnd({ messageId: FRAMES + 2 })],
  junk: (k) => {
    const good = pcapZmq.data(k)[0]!
    return jsonJunk(good, { type: 'message_type', frame: 'frame_number' }, [[...good, extra]])
  },
  simulator: (capture) => createPcapZmqSimulator({ bind, frames: 0, rateHz: 0, capture }),
  upstream: (url) => createPcapZmqUpstreamFactory(parsePcapZmqUrl(url)),
  frameOf: frameOfParsed,
}

let lecroyCounter = 0
const lecroyTraces = (k: number) =>
  encodeLecroyTraces({
    channel: 1,
    ts: 1.7e9 + k,
    frame: lecroyCounter++,
    data: new Float64Array([k, k]),
    shape: [1, 2],
    horizOffset: 0,
    horizInterval: 1e-9,
    timestamps: [1.7e9 + k],
  })
const lecroy: DeviceCase = {
  name: 'LeCroy (sequential mode)',
  stream: 'scope',
  numbered: true,
  start: () => [encodeLecroyPrepare(lecroyCounter++)],
  data: (k) => [
    encodeLecroySeqStart({ frame: lecroyCounter++, ntriggers: 1, seqno: k, channels: [1] }),
    lecroyTraces(k),
    encodeLecroySeqEnd(lecroyCounter++),
  ],
  end: () => [encodeLecroyStop(lecroyCounter, lecroyCounter)],
  junk: (k) => [
    // Between sequences: nothing of it may start, end or join a sequence.
    { label: 'not JSON', messages: [[utf8.encode('\x00\x01 binary')]], invalid: 1 },
    { label: 'bad JSON', messages: [[utf8.encode('{"htype": "msg", "what": 1, "se')]], invalid: 1 },
    {
      label: 'unknown what',
      messages: [[utf8.encode(JSON.stringify({ htype: 'msg', what: 7, frame: 0 }))]],
      invalid: 1,
    },
    { label: 'traces outside a sequence', messages: [lecroyTraces(k)], invalid: 1 },
    {
      label: 'a sequence whose traces are truncated (2 of 3 parts) and that never ends',
      messages: [
        encodeLecroySeqStart({ frame: lecroyCounter++, ntriggers: 1, seqno: k, channels: [1] }),
        lecroyTraces(k).slice(0, 2),
      ],
      // The truncated traces, and the sequence the next sequence start cuts short.
      invalid: 2,
    },
  ],
  simulator: (capture) => createLecroySimulator({ bind, frames: 0, rateHz: 0, capture }),
  upstream: (url) => createLecroyUpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

/** `os.system('ls')`, pickled: the data-only reader refuses it. */
const EVIL = Uint8Array.from([
  0x80,
  0x02,
  ...utf8.encode('cos\nsystem\n'),
  0x58,
  0x02,
  0,
  0,
  0,
  ...utf8.encode('ls'),
  0x85,
  0x52,
  0x2e,
])
const contrastInfo = { scannr: 3, path: '/data', description: 'garbage' }
const contrast: DeviceCase = {
  name: 'Contrast',
  stream: 'contrast',
  numbered: false,
  start: () => [encodeContrastMessage({ kind: 'start', ...contrastInfo })],
  data: (k) => [encodeContrastMessage({ kind: 'data', dt: k, positions: { sx: k, sy: 0 } })],
  end: () => [encodeContrastMessage({ kind: 'end', reason: 'finished', ...contrastInfo })],
  junk: (k) => {
    const good = contrast.data(k)[0]!
    return [
      { label: 'extra part', messages: [[...good, utf8.encode('x')]], invalid: 1 },
      { label: 'not a pickle', messages: [[utf8.encode('not a pickle')]], invalid: 1 },
      { label: 'evil pickle', messages: [[EVIL]], invalid: 1 },
      { label: 'truncated pickle', messages: [[good[0]!.subarray(0, 20)]], invalid: 1 },
    ]
  },
  simulator: (capture) => createContrastSimulator({ bind, rateHz: 0, capture }),
  upstream: (url) => createContrastUpstreamFactory({ url }),
  frameOf: frameOfParsed,
}

const CASES: readonly DeviceCase[] = [
  stins,
  eigerV1,
  eigerV2,
  xspress3Multipart,
  xspress3ThreeMessages,
  albaem,
  pcapZmq,
  lecroy,
  contrast,
]

/**
 * The series of `c` with its junk: each kind of junk once, kind i right before data frame i + 1
 * (carrying that frame's number, where it has one), a repeated frame and lost frames when the
 * protocol numbers its frames.
 */
function series(c: DeviceCase): { messages: Message[]; invalid: number; sent: Set<number> } {
  const messages: Message[] = [...c.start()]
  const kinds = c.junk(0).length
  expect(kinds).toBeLessThan(FRAMES)
  let invalid = 0
  const sent = new Set<number>()
  for (let k = 0; k < FRAMES; k++) {
    if (k >= 1 && k <= kinds) {
      const junk = c.junk(k)[k - 1]!
      messages.push(...junk.messages)
      invalid += junk.invalid
    }
    if (c.numbered && LOST.includes(k)) continue
    messages.push(...c.data(k))
    sent.add(k)
    if (c.numbered && k === DUPLICATED) messages.push(...c.data(k))
  }
  messages.push(...c.end())
  return { messages, invalid, sent }
}

let rig: Rig
let dir: string | undefined
afterEach(async () => {
  await rig.close()
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

describe.each(CASES)('device garbage: $name', (c) => {
  it('drops and counts the junk; every real frame lands on its own event, a lost one is missing', async () => {
    rig = new Rig()
    dir = await mkdtemp(join(tmpdir(), 'beamloom-garbage-'))
    const { messages, invalid, sent } = series(c)
    const capture = join(dir, `${c.stream}.cbors`)
    const writer = await createRawCaptureWriter(capture)
    for (const m of messages) await writer.write(m)
    await writer.close()
    const plane = await rig.plane()
    const sim = c.simulator(capture)
    rig.own(() => sim.close(), undefined)
    await sim.start()
    const ingester = await rig.deviceIngester(plane, c.upstream(sim.endpoint), {
      streams: [c.stream],
    })
    const a = await rig.worker(ingester.endpoint, 'a')
    const events = FRAMES + 2
    const scanId = await startScan(plane, [c.stream], events)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, events],
      routes: { [c.stream]: [r(0, events, ['a'])] },
      workerSlots: { a: 0 },
    })
    await vi.waitFor(() => expect(a.numbers()).toHaveLength(events), { timeout: 15_000 })
    expect(a.numbers()).toEqual([...Array(events).keys()])

    // Event by event: the frame inside is the event's own.
    const got = a.events().map((e) => e.streams[c.stream]!)
    expect(c.frameOf(got[0]!)).toBe('start')
    expect(c.frameOf(got[events - 1]!)).toBe('end')
    for (let k = 0; k < FRAMES; k++) {
      const data = got[k + 1]!
      if (sent.has(k)) {
        expect(data.typ, `event ${k + 1}`).not.toBe(MISSING_FRAME_TYP)
        expect(c.frameOf(data), `event ${k + 1}`).toBe(k)
      } else {
        expect(data.typ, `event ${k + 1}`).toBe(MISSING_FRAME_TYP)
        expect(missingFrameError({ [c.stream]: data })?.message).toMatch(
          new RegExp(`^stream '${c.stream}': frame ${k} never came from the device`),
        )
      }
    }
    const lost = c.numbered ? LOST.length : 0
    expect(ingester.stats()?.streams[c.stream]).toMatchObject({
      invalid,
      duplicates: c.numbered ? 1 : 0,
      missing: lost,
      surplus: 0,
      errors: 0,
    })
    // Every drop and the gap are warnings, locally and in the shared log stream.
    const notices = invalid + (c.numbered ? 2 : 0)
    await expect.poll(async () => (await logMessages(plane)).length).toBe(notices)
    const logs = await logMessages(plane)
    expect(logs.filter((l) => l.startsWith('invalid upstream message dropped: '))).toHaveLength(
      invalid,
    )
    if (c.numbered) {
      expect(logs).toContain(
        `stream '${c.stream}': frame ${DUPLICATED} came again (or late, after the events that follow it); dropped`,
      )
      expect(logs).toContain(
        `stream '${c.stream}': frame ${LOST[0]} to frame ${LOST[1]} (2 frames) never came from the device (the next was frame ${LOST[1]! + 1}); their events fail with FRAME_MISSING`,
      )
    }
    expect(rig.log.unexpected().map((l) => l.message)).toEqual(logs)
  })
})

describe('device garbage: Sardana', () => {
  it('refuses malformed posts (400), so they never take an event; every record lands on its own', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const ingester = createSardanaIngester(
      IngesterConfig.parse({ streams: ['sardana'], helloTimeoutMs: 60_000, heartbeatMs: 200 }),
      { url: 'http://127.0.0.1:0' },
      { plane, logger: rig.log.logger },
    )
    rig.own(() => ingester.close(), undefined)
    await ingester.start()
    const post = async (path: string, body: string) =>
      (
        await fetch(new URL(path, ingester.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
      ).status
    const junk = [
      '{"timestamp": 1, "point_nb":',
      'not json',
      '[1, 2]',
      JSON.stringify({ type: 'DataDescription', point_nb: 1 }),
      JSON.stringify({ point_nb: 1, timestamp: 'soon' }),
      JSON.stringify({ point_nb: 1 }),
    ]
    const desc = { serialno: 1, scandir: '/data', title: 'ascan m 0 1 4 0.1' }
    expect(await post('/v1/data_desc', JSON.stringify(desc))).toBe(200)
    for (let k = 0; k < FRAMES; k++) {
      const bad = junk[k]
      if (bad !== undefined) expect(await post('/v1/record_data', bad)).toBe(400)
      expect(await post('/v1/record_data', JSON.stringify({ point_nb: k, timestamp: k }))).toBe(200)
    }
    expect(await post('/v1/record_end', '{}')).toBe(200)
    const a = await rig.worker(ingester.endpoint, 'a')
    const events = FRAMES + 2
    const scanId = await startScan(plane, ['sardana'], events)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, events],
      routes: { sardana: [r(0, events, ['a'])] },
      workerSlots: { a: 0 },
    })
    await vi.waitFor(() => expect(a.numbers()).toEqual([...Array(events).keys()]), {
      timeout: 10_000,
    })
    const got = a.events().map((e) => parseStream(e.streams.sardana!))
    expect(got[0]?.kind).toBe('start')
    expect(got[events - 1]?.kind).toBe('end')
    for (let k = 0; k < FRAMES; k++) {
      expect(got[k + 1]).toMatchObject({ kind: 'data', pointNb: k })
    }
    expect(ingester.stats()?.streams.sardana).toMatchObject({ invalid: 0, missing: 0 })
  })
})
