import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Encoder, Tag } from 'cbor-x'
import { afterEach, describe, expect, it } from 'vitest'
import { createAlbaemSimulator } from '../../../ingesters/albaem/albaem-simulator.js'
import { createAlbaemUpstreamFactory } from '../../../ingesters/albaem/albaem-upstream.js'
import type { UpstreamFactory } from '../../../ingesters/base/upstream.js'
import type { DeviceSimulator } from '../../../ingesters/base/zmq-simulator.js'
import { createEigerV2Simulator } from '../../../ingesters/eiger-v2/eiger-v2-simulator.js'
import { createEigerV2UpstreamFactory } from '../../../ingesters/eiger-v2/eiger-v2-upstream.js'
import { createLecroySimulator } from '../../../ingesters/lecroy/lecroy-simulator.js'
import { createLecroyUpstreamFactory } from '../../../ingesters/lecroy/lecroy-upstream.js'
import {
  ALBAEM_TYP,
  createRawCaptureWriter,
  EIGER_V2_TYP,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
  isBeamloomError,
  LECROY_TYP,
  parseAlbaem,
  parseEigerV2,
  parseLecroy,
  type ScanId,
  type StreamData,
  streamName,
} from '../../../src/internal.js'
import { Rig } from './harness.js'

/**
 * The AlbaEM, LeCroy and Eiger Stream V2 upstreams against their simulators replaying
 * captures made here: what precedes the series is skipped, messages the upstream cannot
 * classify (by the protocol's type field, frame number and part count) are counted as invalid
 * and dropped, messages it can classify go through with their frame number even when their
 * payload is malformed (the worker's parser rejects them), and after the series' end the
 * stream is closed.
 */

const utf8 = new TextEncoder()

let rig: Rig
let dir: string
afterEach(async () => {
  await rig.close()
  await rm(dir, { recursive: true, force: true })
})

interface Case {
  readonly stream: string
  readonly messages: readonly Uint8Array[][]
  readonly simulator: (capture: string) => DeviceSimulator
  readonly upstream: (url: string) => UpstreamFactory
  /** Events the series holds (start … end). */
  readonly events: number
}

/**
 * Play `messages` through the device's simulator into its upstream (real sockets), read
 * events until the upstream says the series ended, and return them with the reasons the
 * upstream gave for the messages it skipped as invalid.
 */
async function play(c: Case) {
  rig = new Rig()
  dir = await mkdtemp(join(tmpdir(), 'beamloom-devices-'))
  const capture = join(dir, `${c.stream}.cbors`)
  const writer = await createRawCaptureWriter(capture)
  for (const m of c.messages) await writer.write(m)
  await writer.close()
  const sim = c.simulator(capture)
  rig.own(() => sim.close(), undefined)
  await sim.start()
  const factory = c.upstream(sim.endpoint)
  const invalid: string[] = []
  const stream = streamName(c.stream)
  const upstream = factory.create({
    scanId: randomUUID() as ScanId,
    streams: [stream],
    logger: rig.log.logger,
    onInvalid: (s, reason) => invalid.push(`${s}: ${reason}`),
  })
  rig.own(() => upstream.close(), undefined)
  await upstream.start()
  const streams: StreamData[] = []
  /** What the upstream said each message is: `start`, `end`, or the data frame's number. */
  const kinds: (string | number | undefined)[] = []
  const signal = AbortSignal.timeout(10_000)
  let ended: unknown
  for (;;) {
    try {
      const message = await upstream.next(stream, signal)
      streams.push({ typ: factory.typOf(stream), frames: message.parts })
      kinds.push(message.kind === 'data' ? message.frame : message.kind)
    } catch (err) {
      ended = err
      break
    }
  }
  // The series' end closes the stream at once (not a timeout or a lost device).
  expect(isBeamloomError(ended, 'UPSTREAM_CLOSED')).toBe(true)
  expect((ended as Error).message).toMatch(/ended/)
  expect(streams).toHaveLength(c.events)
  return { streams, kinds, invalid: invalid.map((line) => line.replace(`${c.stream}: `, '')) }
}

/** Whether parsing throws one of our `PROTOCOL_INVALID`/`DECODE_FAILED` errors. */
function rejects(parse: () => unknown): boolean {
  try {
    parse()
    return false
  } catch (err) {
    return isBeamloomError(err, 'PROTOCOL_INVALID') || isBeamloomError(err, 'DECODE_FAILED')
  }
}

describe('AlbaEM upstream', () => {
  it('skips the old series, drops non-JSON and 2-part messages and a second start, ends at series-end', async () => {
    const data = (n: number) =>
      encodeAlbaemData({
        messageId: n + 2,
        frameNumber: n,
        timestamp: n,
        acquisitionTimestampNs: 1e18,
        currents: [1e-12 * n, 2e-12],
      })
    const { streams, kinds, invalid } = await play({
      stream: 'em',
      events: 4,
      messages: [
        data(9),
        encodeAlbaemStart({ messageId: 1 }),
        data(0),
        [utf8.encode('garbage, not JSON')],
        [...data(1), utf8.encode('extra part')],
        encodeAlbaemStart({ messageId: 99 }),
        data(2),
        encodeAlbaemEnd({ messageId: 6 }),
        data(3),
      ],
      simulator: (capture) =>
        createAlbaemSimulator({ bind: 'tcp://127.0.0.1:*', frames: 0, rateHz: 0, capture }),
      upstream: (url) => createAlbaemUpstreamFactory({ url }),
    })
    for (const s of streams) expect(s.typ).toBe(ALBAEM_TYP)
    expect(kinds).toEqual(['start', 0, 2, 'end'])
    expect(parseAlbaem(streams[0] as StreamData).kind).toBe('start')
    expect(parseAlbaem(streams[1] as StreamData)).toMatchObject({ kind: 'data', frameNumber: 0 })
    expect(parseAlbaem(streams[2] as StreamData)).toMatchObject({ kind: 'data', frameNumber: 2 })
    expect(parseAlbaem(streams[3] as StreamData).kind).toBe('end')
    expect(invalid).toEqual([
      'AlbaEM message whose first part is not JSON',
      'AlbaEM data message with 2 parts (expected 1)',
      'AlbaEM series start in the middle of a series (no end before it)',
    ])
  })
})

describe('Eiger Stream V2 upstream', () => {
  it('skips the old end, drops messages without a readable type, passes a truncated image on with its image_id, ends at end', async () => {
    const series = { seriesId: 3, seriesUniqueId: 's3' }
    const image = (n: number) =>
      encodeEigerV2Image({
        ...series,
        imageId: n,
        images: { threshold_1: { shape: [4, 8], data: new Uint16Array(32).fill(n + 1) } },
      })
    const truncated = (image(1)[0] as Uint8Array).subarray(0, 60)
    const strange = new Encoder({ useRecords: false }).encode(
      new Tag({ type: 'calibration', series_id: 3 }, 55_799),
    )
    const { streams, kinds, invalid } = await play({
      stream: 'eiger',
      events: 4,
      messages: [
        encodeEigerV2End({ seriesId: 2, seriesUniqueId: 's2' }),
        encodeEigerV2Start({ ...series, channels: ['threshold_1'] }),
        image(0),
        [utf8.encode('not CBOR at all')],
        [strange],
        [truncated],
        encodeEigerV2End(series),
      ],
      simulator: (capture) =>
        createEigerV2Simulator({
          bind: 'tcp://127.0.0.1:*',
          frames: 0,
          shape: [4, 8],
          rateHz: 0,
          capture,
        }),
      upstream: (url) => createEigerV2UpstreamFactory({ url }),
    })
    for (const s of streams) expect(s.typ).toBe(EIGER_V2_TYP)
    expect(kinds).toEqual(['start', 0, 1, 'end'])
    expect(parseEigerV2(streams[0] as StreamData)).toMatchObject({ kind: 'start', seriesId: 3 })
    const first = parseEigerV2(streams[1] as StreamData)
    expect(first).toMatchObject({ kind: 'data', imageId: 0 })
    expect(rejects(() => parseEigerV2(streams[2] as StreamData))).toBe(true)
    expect(parseEigerV2(streams[3] as StreamData)).toMatchObject({ kind: 'end', seriesId: 3 })
    expect(invalid).toEqual([
      'Eiger V2 message that is not a CBOR map',
      "Eiger V2 message of unknown type 'calibration'",
    ])
  })
})

describe('LeCroy upstream', () => {
  it('joins each sequence into one event, counts a non-JSON message and a sequence the stop cut short, ends at stop', async () => {
    const traces = (ch: number, frame: number) =>
      encodeLecroyTraces({
        channel: ch,
        ts: 1.5,
        frame,
        data: new Float64Array([ch, frame, 0.5, 0.25]),
        shape: [2, 2],
        horizOffset: 0,
        horizInterval: 1e-9,
        timestamps: [1.5, 1.6],
      })
    const channels = [1, 2]
    const { streams, kinds, invalid } = await play({
      stream: 'scope',
      events: 4,
      messages: [
        encodeLecroySeqEnd(40),
        encodeLecroyPrepare(0),
        encodeLecroySeqStart({ frame: 1, ntriggers: 2, seqno: 0, channels }),
        traces(1, 2),
        traces(2, 3),
        encodeLecroySeqEnd(4),
        [utf8.encode('\x00\x01 binary')],
        encodeLecroySeqStart({ frame: 5, ntriggers: 2, seqno: 1, channels }),
        traces(1, 6),
        encodeLecroySeqEnd(7),
        encodeLecroySeqStart({ frame: 8, ntriggers: 2, seqno: 2, channels }),
        traces(1, 9),
        encodeLecroyStop(10, 10),
      ],
      simulator: (capture) =>
        createLecroySimulator({ bind: 'tcp://127.0.0.1:*', frames: 0, rateHz: 0, capture }),
      upstream: (url) => createLecroyUpstreamFactory({ url }),
    })
    for (const s of streams) expect(s.typ).toBe(LECROY_TYP)
    expect(streams.map((s) => s.frames.length)).toEqual([1, 8, 5, 1])
    // Sequences are numbered by seqno from the run's first one.
    expect(kinds).toEqual(['start', 0, 1, 'end'])
    expect(parseLecroy(streams[0] as StreamData).kind).toBe('start')
    const seq = parseLecroy(streams[1] as StreamData)
    expect(seq).toMatchObject({ kind: 'data', seqno: 0, channels })
    if (seq.kind === 'data') {
      expect(seq.traces.map((t) => Array.from(t.data, Number))).toEqual([
        [1, 2, 0.5, 0.25],
        [2, 3, 0.5, 0.25],
      ])
      expect(seq.traces[0]?.timestamps).toEqual([1.5, 1.6])
    }
    // Sequence 1 lacks channel 2's traces: it goes on, and the parser says what is wrong.
    expect(rejects(() => parseLecroy(streams[2] as StreamData))).toBe(true)
    expect(parseLecroy(streams[3] as StreamData)).toMatchObject({ kind: 'end', frames: 10 })
    expect(invalid).toEqual([
      'LeCroy message whose first part is not a JSON object',
      'LeCroy sequence cut short by stop (no sequence end)',
    ])
  })
})
