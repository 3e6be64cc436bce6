import { randomUUID } from 'node:crypto'
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Dealer } from 'zeromq'
import { encodePayload } from '../../../src/codec/result-payload.js'
import { slot } from '../../../src/protocol/data-plane.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import { eventNumber, ScanId, WorkerName } from '../../../src/protocol/ids.js'
import { formatCurveKeyFile, generateCurveKeys } from '../../../src/transport/curve-keys.js'
import { createResultSender, type ResultSender } from '../../../src/transport/result-sender.js'
import { createWorkerDealer, type WorkerDealer } from '../../../src/transport/worker-dealer.js'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

// Real processes on real Redis with an authenticated data plane (DATA_PLANE_KEY_FILE) and
// tokens on the controller and the reducer, attacked from this test's process: a forger that
// knows every address and the scan id (as a leaked `/config` and `/status` would tell) but not
// the key pushes forged results at the reducer and poses as a worker to the ingester. Nothing
// forged is reduced, no frame is stolen, and every event is reduced once.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const FRAMES = 600
const FORGED_SUM = 1_000_000_007
const TOKEN = 'e2e-controller-token'
const REDUCER_TOKEN = 'e2e-reducer-token'
const prefix = `e2e-curve-${randomUUID().slice(0, 8)}`
const children: Child[] = []
const forgers: { close(): unknown }[] = []
let env: Record<string, string>
let controller: string
let reducer: string
let simulatorPort: number
const auth = { authorization: `Bearer ${TOKEN}` }
const WAIT = { timeout: 90_000, interval: 200 }

interface Publish {
  count: Record<string, number>
  sums: Record<string, number>
  frames: number
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'beamloom-curve-'))
  await copyFile(repoPath('test/e2e/live/analysis.ts.txt'), join(dir, 'analysis.ts'))
  const keyFile = join(dir, 'data-plane.key')
  await writeFile(keyFile, formatCurveKeyFile(generateCurveKeys()), { mode: 0o600 })
  env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    HEARTBEAT_MS: '200',
    DATA_PLANE_KEY_FILE: keyFile,
    CONTROLLER_TOKEN: TOKEN,
    REDUCER_TOKEN,
  }
  const [cp, rp, sp] = [await freePort(), await freePort(), await freePort()]
  simulatorPort = sp
  controller = `http://127.0.0.1:${cp}`
  reducer = `http://127.0.0.1:${rp}`
  children.push(spawnBeamloom('controller', ['controller', '--port', String(cp)], env))
  children.push(
    spawnBeamloom(
      'reducer',
      ['reducer', '-r', `${dir}/analysis.ts:CountReducer`, '--port', String(rp)],
      env,
    ),
  )
  for (let i = 0; i < 2; i++) {
    children.push(
      spawnBeamloom(
        `worker-${i}`,
        ['worker', '-w', `${dir}/analysis.ts:SumWorker`, '--name', `w${i}`],
        env,
      ),
    )
  }
  children.push(
    spawnBeamloom(
      'ingester',
      ['ingester', 'stins', '--stream', 'cam', '--upstream', `tcp://127.0.0.1:${sp}`],
      env,
    ),
  )
  await vi.waitFor(async () => {
    const config = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
      `${controller}/api/v1/config`,
      { headers: auth },
    )
    expect(config.workers).toHaveLength(2)
    expect(config.ingesters).toHaveLength(1)
    expect(config.reducer).toBeTruthy()
  }, WAIT)
}, 120_000)

afterAll(async () => {
  for (const f of forgers) f.close()
  await stopAll(children)
  const redis = new Redis(REDIS_URL)
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
}, 30_000)

/** A batch of forged results for events `0…count-1` of `scan`, as worker `w0` would send. */
function forgedBatch(scan: string, count: number, n: number): Uint8Array[] {
  const b = new ResultBatchBuilder(ScanId.parse(scan), WorkerName.parse('w0'), `forged-${n}`)
  for (let e = 0; e < count; e++) {
    const payload = encodePayload({ kind: 'image', frame: e, sum: FORGED_SUM })
    b.result(eventNumber(e), slot(e), 'forged', payload)
  }
  return b.finish(n, 0)
}

describe('an authenticated data plane across processes', () => {
  it('reduces every event once and nothing a forger without the key sends', async () => {
    // Without the token nothing reveals an address or the scan id.
    for (const path of ['/api/v1/config', '/api/v1/status']) {
      const res = await fetch(`${controller}${path}`)
      expect(res.status, path).toBe(401)
      expect(await res.text()).not.toContain('tcp://')
    }
    expect((await fetch(`${reducer}/api/v1/status`)).status).toBe(401)
    // Suppose they leaked anyway.
    const config = await json<{
      ingesters: { endpoints: Record<string, string> }[]
      reducer: { endpoints: Record<string, string> }
    }>(`${controller}/api/v1/config`, { headers: auth })
    const results = config.reducer.endpoints.results ?? ''
    const data = config.ingesters[0]?.endpoints.data ?? ''
    expect(results).toMatch(/^tcp:\/\//)
    expect(data).toMatch(/^tcp:\/\//)

    // A forger poses as worker w0 to the ingester, plain and with a key pair of its own.
    const own = generateCurveKeys()
    const thieves: WorkerDealer[] = []
    for (const curve of [undefined, own]) {
      const thief = createWorkerDealer({
        endpoint: data,
        worker: WorkerName.parse('w0'),
        ...(curve === undefined ? {} : { curve }),
        onBatch: () => {
          throw new Error('a forger received frames')
        },
      })
      await thief.start()
      thieves.push(thief)
      forgers.push({ close: () => void thief.close({ force: true }) })
    }

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
        '150',
      ],
      env,
    )
    children.push(sim)
    const scan = await json<string>(`${controller}/api/v1/mapping`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        cam: Array.from({ length: FRAMES }, (_, i) => [{ constraint: i }]),
      }),
    })

    // Forged results for every event, pushed while the scan runs: plain, and with own keys.
    const plain: ResultSender = createResultSender({
      endpoint: results,
      routingId: 'w0/forged',
      onAck: () => {
        throw new Error('the reducer acknowledged a forger')
      },
    })
    await plain.start()
    forgers.push({ close: () => void plain.close({ force: true }) })
    const keyed = new Dealer({
      routingId: 'w0/forged-keyed',
      linger: 0,
      sendTimeout: 0,
      curveServerKey: own.publicKey,
      curvePublicKey: own.publicKey,
      curveSecretKey: own.secretKey,
    })
    keyed.connect(results)
    forgers.push(keyed)
    let forged = 0
    for (let n = 0; n < 5; n++) {
      void plain.send(forgedBatch(scan, FRAMES + 2, n)).catch(() => {})
      await keyed.send(forgedBatch(scan, FRAMES + 2, n)).catch(() => {})
      forged += 2 * (FRAMES + 2)
    }

    await vi.waitFor(async () => {
      const p = await json<{ finished: boolean; total_events: number; status: string }>(
        `${controller}/api/v1/progress`,
      )
      expect(p.total_events).toBe(FRAMES + 2)
      expect(p.finished).toBe(true)
      expect(p.status).toBe('finished')
    }, WAIT)
    const publish = await json<Publish>(`${reducer}/api/v1/result/`)
    expect(publish.frames).toBe(FRAMES)
    const counts = Object.values(publish.count)
    expect(counts).toHaveLength(FRAMES)
    expect(counts.every((c) => c === 1)).toBe(true)
    expect(Object.values(publish.sums).filter((s) => s === FORGED_SUM)).toEqual([])
    expect(thieves.every((t) => t.state === 'running')).toBe(true)
    process.stderr.write(
      `curve e2e: ${FRAMES + 2} events reduced once each; ${forged} forged results and 2 forged workers refused\n`,
    )
    expect(await sim.exited).toBe(0)
  }, 180_000)
})
