import { randomUUID } from 'node:crypto'
import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

// Real processes on real Redis: controller, reducer, three workers, a STINS ingester and a
// STINS simulator, each a `beamloom` command, as an operator would run them.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const FRAMES = 1000
const prefix = `e2e-${randomUUID().slice(0, 8)}`
const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, HEARTBEAT_MS: '200' }
const children: Child[] = []
let dir: string
let controller: string
let reducer: string
let simulatorPort: number
const workers: Child[] = []

interface Publish {
  count: Record<string, number>
  hash: Record<string, string>
  frames: number
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

function uniformMap(n: number): Record<string, unknown[]> {
  return { cam: Array.from({ length: n }, (_, i) => [{ constraint: i }]) }
}

function simulate(rateHz: number): Child {
  const sim = spawnBeamloom(
    'simulator',
    [
      'simulate',
      'stins',
      '--bind',
      `tcp://127.0.0.1:${simulatorPort}`,
      '--frames',
      String(FRAMES),
      '--shape',
      '16,16',
      '--dtype',
      'uint16',
      '--rate',
      String(rateHz),
    ],
    env,
  )
  children.push(sim)
  return sim
}

/** Post the uniform map; resolves the new scan's id. */
async function runScan(): Promise<string> {
  return json<string>(`${controller}/api/v1/mapping`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(uniformMap(FRAMES)),
  })
}

async function waitFinished(timeoutMs = 90_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const p = await json<{ finished: boolean; completed_events: number; total_events: number }>(
        `${controller}/api/v1/progress`,
      )
      expect(p.total_events).toBe(FRAMES + 2)
      expect(p.finished).toBe(true)
    },
    { timeout: timeoutMs, interval: 200 },
  )
}

async function publish(): Promise<Publish> {
  return json<Publish>(`${reducer}/api/v1/result/`)
}

function expectEveryFrameOnce(p: Publish): void {
  expect(p.frames).toBe(FRAMES)
  const counts = Object.values(p.count)
  expect(counts).toHaveLength(FRAMES)
  expect(counts.every((c) => c === 1)).toBe(true)
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-live-'))
  await copyFile(repoPath('test/e2e/live/analysis.ts.txt'), join(dir, 'analysis.ts'))
  const [cp, rp, sp] = [await freePort(), await freePort(), await freePort()]
  simulatorPort = sp
  controller = `http://127.0.0.1:${cp}`
  reducer = `http://127.0.0.1:${rp}`
  children.push(
    spawnBeamloom('controller', ['controller', '--host', '127.0.0.1', '--port', String(cp)], env),
  )
  children.push(
    spawnBeamloom(
      'reducer',
      ['reducer', '-r', `${dir}/analysis.ts:CountReducer`, '--port', String(rp)],
      env,
    ),
  )
  for (let i = 0; i < 3; i++) {
    const w = spawnBeamloom(
      `worker-${i}`,
      ['worker', '-w', `${dir}/analysis.ts:SumWorker`, '--name', `w${i}`],
      env,
    )
    workers.push(w)
    children.push(w)
  }
  children.push(
    spawnBeamloom(
      'ingester',
      ['ingester', 'stins', '--stream', 'cam', '--upstream', `tcp://127.0.0.1:${sp}`],
      env,
    ),
  )
  await vi.waitFor(
    async () => {
      const config = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
        `${controller}/api/v1/config`,
      )
      expect(config.workers).toHaveLength(3)
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
}, 30_000)

describe('a live scan across processes on Redis', () => {
  it(`reduces every one of ${FRAMES} events exactly once, then runs a second scan on the same processes`, async () => {
    const sim = simulate(0)
    const started = Date.now()
    await runScan()
    await waitFinished()
    const seconds = (Date.now() - started) / 1000
    process.stderr.write(
      `live e2e: ${FRAMES + 2} events in ${seconds.toFixed(2)} s (${Math.round((FRAMES + 2) / seconds)} events/s, including the simulator's start)\n`,
    )
    expectEveryFrameOnce(await publish())
    expect(await sim.exited).toBe(0)

    simulate(0)
    await runScan()
    await waitFinished()
    expectEveryFrameOnce(await publish())
  }, 180_000)

  it('loses no event when a worker is killed mid-scan, and applies a parameter changed mid-scan', async () => {
    simulate(400)
    await runScan()
    await vi.waitFor(
      async () => {
        const p = await json<{ completed_events: number }>(`${controller}/api/v1/progress`)
        expect(p.completed_events).toBeGreaterThan(200)
      },
      { timeout: 30_000, interval: 50 },
    )
    const hash = await json<string>(`${controller}/api/v1/parameter/offset`, {
      method: 'POST',
      body: '5',
    })
    workers[0]?.process.kill('SIGKILL')
    await waitFinished()
    const p = await publish()
    expectEveryFrameOnce(p)
    const last = p.hash[String(FRAMES - 1)]
    expect(last).toBe(hash)
    expect(p.hash['0']).not.toBe(hash)
  }, 180_000)

  it('reports a detector that goes away mid-scan instead of hanging', async () => {
    const sim = simulate(200)
    const scanId = await runScan()
    await vi.waitFor(
      async () => {
        const p = await json<{ completed_events: number }>(`${controller}/api/v1/progress`)
        expect(p.completed_events).toBeGreaterThan(50)
      },
      { timeout: 30_000, interval: 50 },
    )
    sim.process.kill('SIGKILL')
    await vi.waitFor(
      async () => {
        const status = await json<{ scan_id: string; status: string; reason: string | null }>(
          `${controller}/api/v1/status`,
        )
        expect(status).toMatchObject({ scan_id: scanId, status: 'stopped' })
        expect(status.reason).toMatch(/upstream-lost/)
      },
      { timeout: 30_000, interval: 200 },
    )
  }, 60_000)
})
