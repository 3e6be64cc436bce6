import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createContrastSimulator } from '../../../ingesters/contrast/contrast-simulator.js'
import {
  type ContrastUpstreamFactory,
  createContrastUpstreamFactory,
} from '../../../ingesters/contrast/contrast-upstream.js'
import {
  CONTRAST_TYP,
  type ContrastMessage,
  createRawCaptureWriter,
  encodeContrastMessage,
  parseContrast,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { readContrastCapture } from '../../e2e/devices/contrast-capture.js'
import { fixturePath } from '../../harness/fixtures.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
})

/** Play `capture` (or a generated scan) into a Contrast ingester; what worker `a` received. */
/**
 * Ingest a Contrast series into a fake worker; `logs` is how many entries the ingester must
 * write to the shared log stream (a warning per message dropped as invalid).
 */
async function ingest(
  sim: Parameters<typeof createContrastSimulator>[0],
  events: number,
  logs = 0,
): Promise<{
  messages: ContrastMessage[]
  factory: ContrastUpstreamFactory
  invalid: number
  logs: string[]
}> {
  const plane = await rig.plane()
  const simulator = createContrastSimulator(sim)
  rig.own(() => simulator.close(), undefined)
  await simulator.start()
  const factory = createContrastUpstreamFactory({ url: simulator.endpoint })
  const ingester = await rig.deviceIngester(plane, factory, { streams: ['contrast'] })
  const a = await rig.worker(ingester.endpoint, 'a')
  const scanId = await startScan(plane, ['contrast'], events)
  await expect.poll(() => ingester.scanId).toBe(scanId)
  await publish(plane, scanId, {
    released: [0, events],
    routes: { contrast: [r(0, events, ['a'])] },
    workerSlots: { a: 0 },
  })
  const expected = Array.from({ length: events }, (_, i) => i)
  await vi.waitFor(() => expect(a.numbers()).toEqual(expected), { timeout: 10_000 })
  await expect.poll(async () => (await logMessages(plane)).length).toBe(logs)
  const streams = a.events().map((e) => e.streams.contrast ?? { typ: '', frames: [] })
  for (const s of streams) expect(s.typ).toBe(CONTRAST_TYP)
  return {
    messages: streams.map(parseContrast),
    factory,
    invalid: ingester.stats()?.streams.contrast?.invalid ?? -1,
    logs: await logMessages(plane),
  }
}

async function writeCapture(messages: Uint8Array[][]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beamloom-contrast-'))
  rig.own(() => rm(dir, { recursive: true, force: true }), undefined)
  const file = join(dir, 'contrast.cbors')
  const writer = await createRawCaptureWriter(file)
  for (const m of messages) await writer.write(m)
  await writer.close()
  return file
}

/** `os.system('ls')`, pickled (protocol 2): a global outside the data-only allow-list. */
const EVIL = Uint8Array.from(
  Buffer.from('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.', 'latin1'),
)

const info = { scannr: 7, path: '/data/x', description: 'mesh sx 0 1 1 sy 0 1 1 0.1' }

describe('Contrast ingester', () => {
  it('replays contrast-dump: started, 20 points, finished; heartbeats skipped and counted', async () => {
    rig = new Rig()
    const file = fixturePath('contrast-dump.cbors')
    const captured = await readContrastCapture(file)
    const points = captured.filter((m) => m.status === 'running')
    const { messages, factory, invalid } = await ingest(
      { bind: 'tcp://127.0.0.1:*', rateHz: 0, capture: file },
      22,
    )
    expect(invalid).toBe(0)
    expect(messages.map((m) => m.kind)).toEqual(['start', ...Array(20).fill('data'), 'end'])
    const data = messages.filter((m) => m.kind === 'data')
    expect(data.map((m) => m.positions.sx)).toEqual(points.map((p) => p.sx))
    expect(data.map((m) => m.positions.sy)).toEqual(points.map((p) => p.sy))
    // The heartbeat before `started` and the one between points 11 and 12 were read and skipped.
    expect(factory.stats.heartbeats).toBeGreaterThanOrEqual(2)
    expect(factory.stats.lastHeartbeatAt).toBeGreaterThan(0)
    expect(rig.log.unexpected()).toEqual([])
  })

  it('drops an evil and a truncated pickle (reported), the next point takes the event; skips a scan joined late', async () => {
    rig = new Rig()
    const point = (sx: number) =>
      encodeContrastMessage({ kind: 'data', dt: sx, positions: { sx, sy: 0 } })
    const file = await writeCapture([
      point(99), // a point of a scan that began before the ingester subscribed
      encodeContrastMessage({ kind: 'heartbeat' }),
      encodeContrastMessage({ kind: 'start', ...info }),
      point(0),
      [EVIL],
      point(1),
      encodeContrastMessage({ kind: 'heartbeat' }),
      [Uint8Array.from([0x80, 0x02, 0x7d])], // truncated
      point(2),
      encodeContrastMessage({ kind: 'end', reason: 'interrupted', ...info }),
    ])
    const { messages, factory, invalid, logs } = await ingest(
      { bind: 'tcp://127.0.0.1:*', rateHz: 0, capture: file },
      5,
      2,
    )
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'end'])
    expect(messages.filter((m) => m.kind === 'data').map((m) => m.positions.sx)).toEqual([0, 1, 2])
    expect(messages[4]).toMatchObject({ kind: 'end', reason: 'interrupted', scannr: 7 })
    expect(invalid).toBe(2)
    expect(factory.stats).toMatchObject({ heartbeats: 2, stale: 1 })
    expect(logs).toEqual([
      expect.stringMatching(
        /^invalid upstream message dropped: .*'os\.system', which is not allowed/,
      ),
      expect.stringMatching(/^invalid upstream message dropped: .*pickle truncated/),
    ])
    const warnings = rig.log.unexpected().map((l) => l.message)
    expect(warnings).toEqual(logs)
  })

  it('forwards a generated mesh scan with heartbeats between the points', async () => {
    rig = new Rig()
    const { messages, factory } = await ingest(
      { bind: 'tcp://127.0.0.1:*', rateHz: 0, mesh: [2, 3], heartbeatEvery: 2 },
      8,
    )
    expect(messages.map((m) => m.kind)).toEqual(['start', ...Array(6).fill('data'), 'end'])
    expect(messages[0]).toMatchObject({ description: 'mesh sx -2 2 1 sy -2 2 2 0.1' })
    expect(messages.slice(1, 7).map((m) => (m.kind === 'data' ? m.positions : {}))).toEqual([
      { sx: -2, sy: -2 },
      { sx: -2, sy: 0 },
      { sx: -2, sy: 2 },
      { sx: 2, sy: -2 },
      { sx: 2, sy: 0 },
      { sx: 2, sy: 2 },
    ])
    expect(factory.stats.heartbeats).toBeGreaterThanOrEqual(3)
  })
})
