import { randomUUID } from 'node:crypto'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createRawCaptureWriter,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
} from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

// Device garbage across real processes on Redis: a STINS detector (the simulator replaying a
// capture made here) sends a series of a few hundred images with junk injected mid-series — a
// truncated image, bad JSON, bytes that are not JSON, an unknown htype, a frame number that is
// not one, a repeated frame — and loses two frames. Controller, reducer, two workers and the
// ingester are `beamloom` commands. Every real frame must be reduced exactly once, on its own
// event; the junk is counted; the lost frames' events fail with a reason; the scan finishes.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const FRAMES = 300
const DUPLICATED = 120
const LOST = [200, 201]
const prefix = `e2e-garbage-${randomUUID().slice(0, 8)}`
const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, HEARTBEAT_MS: '200' }
const utf8 = new TextEncoder()
const children: Child[] = []
let dir: string
let controller: string
let reducer: string
let ingesterMetrics: string
let simulatorPort: number
let capture: string

interface Publish {
  count: Record<string, number>
  event: Record<string, number>
  first: Record<string, number>
  frames: number
  headers: number[]
  ends: number[]
  others: [number, string][]
}

interface LogLine {
  role: string
  levelname: string
  message: string
  context?: Record<string, string | number>
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

const image = (k: number): Uint8Array[] =>
  encodeStinsImage({
    msgNumber: k + 1,
    frame: k,
    shape: [4, 4],
    data: Uint16Array.from({ length: 16 }, (_, i) => (k + i) % 60_000),
  })

/** A JSON part with `patch` applied to the JSON of `part`. */
function patched(part: Uint8Array, patch: Record<string, unknown>): Uint8Array {
  return utf8.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(part)), ...patch }))
}

/** The junk, each just before the image whose frame number it carries. */
function junkBefore(k: number): Uint8Array[][] {
  const [head, blob] = image(k) as [Uint8Array, Uint8Array]
  switch (k) {
    case 50:
      return [[head]] // truncated: the image without its blob
    case 60:
      return [[head.subarray(0, head.length - 4), blob]] // bad JSON
    case 70:
      return [[utf8.encode('\x00\x01\x02 not json'), blob]]
    case 80:
      return [[patched(head, { htype: 'calibration' }), blob]]
    case 90:
      return [[patched(head, { frame: 'ninety' }), blob]]
    default:
      return []
  }
}
const INVALID = 5

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-garbage-e2e-'))
  await copyFile(repoPath('test/e2e/live/frame-event-analysis.ts.txt'), join(dir, 'analysis.ts'))
  capture = join(dir, 'garbage.cbors')
  const writer = await createRawCaptureWriter(capture)
  await writer.write(encodeStinsHeader({ msgNumber: 0, filename: 'garbage.h5' }))
  for (let k = 0; k < FRAMES; k++) {
    for (const junk of junkBefore(k)) await writer.write(junk)
    if (LOST.includes(k)) continue
    await writer.write(image(k))
    if (k === DUPLICATED) await writer.write(image(k))
  }
  await writer.write(encodeStinsEnd({ msgNumber: FRAMES + 1 }))
  await writer.close()

  const [cp, rp, sp, mp] = [await freePort(), await freePort(), await freePort(), await freePort()]
  simulatorPort = sp
  controller = `http://127.0.0.1:${cp}`
  reducer = `http://127.0.0.1:${rp}`
  ingesterMetrics = `http://127.0.0.1:${mp}`
  children.push(
    spawnBeamloom('controller', ['controller', '--host', '127.0.0.1', '--port', String(cp)], env),
    spawnBeamloom(
      'reducer',
      ['reducer', '-r', `${dir}/analysis.ts:FrameEventReducer`, '--port', String(rp)],
      env,
    ),
    spawnBeamloom(
      'ingester',
      [
        'ingester',
        'stins',
        '--stream',
        'cam',
        '--upstream',
        `tcp://127.0.0.1:${sp}`,
        '--metrics-port',
        String(mp),
      ],
      env,
    ),
  )
  for (let i = 0; i < 2; i++) {
    children.push(
      spawnBeamloom(
        `worker-${i}`,
        ['worker', '-w', `${dir}/analysis.ts:FrameEventWorker`, '--name', `garbage-w${i}`],
        env,
      ),
    )
  }
  await vi.waitFor(
    async () => {
      const config = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
        `${controller}/api/v1/config`,
      )
      expect(config.workers).toHaveLength(2)
      expect(config.ingesters).toHaveLength(1)
      expect(config.reducer).toBeTruthy()
    },
    { timeout: 30_000, interval: 200 },
  )
}, 60_000)

afterAll(async () => {
  await stopAll(children)
  const redis = new Redis(REDIS_URL)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
  await rm(dir, { recursive: true, force: true })
}, 30_000)

describe('device garbage across processes on Redis', () => {
  it(`reduces every real frame of ${FRAMES} once on its own event; junk counted, lost frames failed, scan finished`, async () => {
    const sim = spawnBeamloom(
      'simulator',
      ['simulate', 'stins', '--bind', `tcp://127.0.0.1:${simulatorPort}`, '--capture', capture],
      env,
    )
    children.push(sim)
    const map = { cam: Array.from({ length: FRAMES }, (_, i) => [{ constraint: i }]) }
    await json<string>(`${controller}/api/v1/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(map),
    })
    await vi.waitFor(
      async () => {
        const p = await json<{ finished: boolean; completed_events: number; total_events: number }>(
          `${controller}/api/v1/progress`,
        )
        expect(p).toMatchObject({
          total_events: FRAMES + 2,
          completed_events: FRAMES + 2,
          finished: true,
        })
      },
      { timeout: 90_000, interval: 200 },
    )
    expect(await sim.exited).toBe(0)

    // Every real frame once, on its own event (event k + 1 for frame k), with its own pixels.
    const p = await json<Publish>(`${reducer}/api/v1/result/`)
    const real = [...Array(FRAMES).keys()].filter((k) => !LOST.includes(k))
    expect(p.frames).toBe(real.length)
    expect(
      Object.keys(p.count)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(real)
    for (const k of real) {
      expect(p.count[String(k)], `frame ${k}`).toBe(1)
      expect(p.event[String(k)], `frame ${k}`).toBe(k + 1)
      expect(p.first[String(k)], `frame ${k}`).toBe(k % 60_000)
    }
    // The header and the series end went to every worker, on the first and last event.
    const others = `results without an image: ${JSON.stringify(p.others)}`
    expect(p.headers, others).toEqual([0, 0])
    expect(p.ends, others).toEqual([FRAMES + 1, FRAMES + 1])

    // The lost frames' events failed with a reason naming the frame; nothing else failed.
    const metrics = await (await fetch(`${controller}/metrics`)).text()
    expect(metrics).toMatch(
      new RegExp(`^beamloom_controller_events_failed_total ${LOST.length}$`, 'm'),
    )
    const logs = await json<LogLine[]>(`${controller}/api/v1/logs?level=WARNING`)
    const failures = logs.filter((l) => l.role === 'worker' && l.context?.code === 'FRAME_MISSING')
    expect(failures.map((l) => Number(l.context?.event)).sort((a, b) => a - b)).toEqual(
      LOST.map((k) => k + 1),
    )
    for (const f of failures) {
      const frame = Number(f.context?.event) - 1
      expect(f.context?.stream).toBe('cam')
      expect(f.message).toMatch(
        new RegExp(
          `stream 'cam': frame ${frame} never came from the device \\(the next was frame ${LOST[1]! + 1}\\)`,
        ),
      )
    }
    // The ingester said what it dropped, at WARNING, in the shared log.
    const ingester = logs.filter((l) => l.role === 'ingester')
    expect(ingester.every((l) => l.levelname === 'WARNING')).toBe(true)
    expect(ingester.filter((l) => l.context?.kind === 'invalid')).toHaveLength(INVALID)
    expect(ingester.filter((l) => l.context?.kind === 'duplicate')).toHaveLength(1)
    expect(ingester.filter((l) => l.context?.kind === 'gap').map((l) => l.message)).toEqual([
      `stream 'cam': frame ${LOST[0]} to frame ${LOST[1]} (2 frames) never came from the device (the next was frame ${LOST[1]! + 1}); their events fail with FRAME_MISSING`,
    ])
    // And counted it.
    const counters = await (await fetch(`${ingesterMetrics}/metrics`)).text()
    const counter = (name: string) =>
      Number(new RegExp(`^${name}\\{stream="cam"\\} (\\d+)$`, 'm').exec(counters)?.[1])
    expect(counter('beamloom_ingester_invalid_messages_total')).toBe(INVALID)
    expect(counter('beamloom_ingester_duplicate_frames_total')).toBe(1)
    expect(counter('beamloom_ingester_missing_frames_total')).toBe(LOST.length)
    expect(counter('beamloom_ingester_surplus_frames_total')).toBe(0)
    expect(counter('beamloom_ingester_errors_total')).toBe(0)
  }, 150_000)
})
