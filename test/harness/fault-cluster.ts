import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { vi } from 'vitest'
import { repoPath } from './fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from './processes.js'

// A whole beamloom deployment as separate `beamloom` processes on Redis (controller, reducer,
// workers, one STINS ingester, a STINS simulator), for the fault tests: any part can be killed,
// frozen or restarted, and every frame counted at the end.

const ANALYSIS = repoPath('test/harness/fault-analysis.ts')

/** What the fault reducer publishes. */
export interface FaultPublish {
  count: Record<string, number>
  sums: Record<string, number>
  frames: number
  other: number
}

/** The controller's `/api/v1/progress`. */
export interface Progress {
  last_assigned: number
  completed_events: number
  total_events: number
  finished: boolean
  status?: string
  reason?: string
  failed_events?: number
  waiting_for?: string[]
}

/** Options of {@link FaultCluster}. */
export interface FaultClusterOptions {
  readonly redisUrl: string
  readonly workers?: number
  /** Extra env for every process. */
  readonly env?: Record<string, string>
  /** Extra env per role (`controller`, `reducer`, `worker`, `ingester`). */
  readonly roleEnv?: Partial<Record<string, Record<string, string>>>
  readonly heartbeatMs?: number
  /** The workers' and the reducer's classes (`path:Class`); default: fault-analysis.ts's. */
  readonly worker?: string
  readonly reducer?: string
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** A deployment of separate processes; `start()` spawns them and waits until they registered. */
export class FaultCluster {
  readonly prefix = `fault-${randomUUID().slice(0, 8)}`
  readonly children = new Map<string, Child>()
  readonly #all: Child[] = []
  readonly #o: FaultClusterOptions
  #ports: { controller: number; reducer: number; simulator: number } | undefined

  constructor(options: FaultClusterOptions) {
    this.#o = options
  }

  get controller(): string {
    return `http://127.0.0.1:${this.#ports!.controller}`
  }

  get reducer(): string {
    return `http://127.0.0.1:${this.#ports!.reducer}`
  }

  get workerNames(): string[] {
    return Array.from({ length: this.#o.workers ?? 3 }, (_, i) => `w${i}`)
  }

  /** Spawn every part and wait until the controller lists them. */
  async start(): Promise<void> {
    this.#ports = {
      controller: await freePort(),
      reducer: await freePort(),
      simulator: await freePort(),
    }
    this.spawn('controller')
    this.spawn('reducer')
    for (const name of this.workerNames) this.spawn(name)
    this.spawn('ingester')
    await this.waitConfig(this.workerNames.length, 1, true)
  }

  /** Wait until `/config` lists this many workers and ingesters (and a reducer, if asked). */
  async waitConfig(workers: number, ingesters: number, reducer: boolean): Promise<void> {
    await vi.waitFor(
      async () => {
        const config = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
          `${this.controller}/api/v1/config`,
        )
        if (config.workers.length !== workers) throw new Error(`${config.workers.length} workers`)
        if (config.ingesters.length !== ingesters) throw new Error('ingesters')
        if (reducer && !config.reducer) throw new Error('no reducer')
      },
      { timeout: 60_000, interval: 200 },
    )
  }

  /** Spawn (or respawn) one part by name: `controller`, `reducer`, `ingester`, `w0`… */
  spawn(name: string): Child {
    const p = this.#ports!
    const o = this.#o
    const role = name.startsWith('w') ? 'worker' : name
    const env = {
      REDIS_URL: o.redisUrl,
      REDIS_KEY_PREFIX: this.prefix,
      HEARTBEAT_MS: String(o.heartbeatMs ?? 200),
      ...o.env,
      ...o.roleEnv?.[role],
    }
    const args: Record<string, string[]> = {
      controller: ['controller', '--host', '127.0.0.1', '--port', String(p.controller)],
      reducer: [
        'reducer',
        '-r',
        o.reducer ?? `${ANALYSIS}:FaultReducer`,
        '--port',
        String(p.reducer),
      ],
      ingester: [
        'ingester',
        'stins',
        '--stream',
        'cam',
        '--upstream',
        `tcp://127.0.0.1:${p.simulator}`,
      ],
      worker: ['worker', '-w', o.worker ?? `${ANALYSIS}:FaultWorker`, '--name', name],
    }
    const child = spawnBeamloom(name, args[role]!, env)
    this.children.set(name, child)
    this.#all.push(child)
    return child
  }

  /** Start the simulator: `frames` 16×16 uint16 images at `rateHz` (0: as fast as possible). */
  simulate(frames: number, rateHz: number): Child {
    const child = spawnBeamloom(
      'simulator',
      [
        'simulate',
        'stins',
        '--bind',
        `tcp://127.0.0.1:${this.#ports!.simulator}`,
        '--frames',
        String(frames),
        '--shape',
        '16,16',
        '--rate',
        String(rateHz),
      ],
      { ...this.#o.env },
    )
    this.children.set('simulator', child)
    this.#all.push(child)
    return child
  }

  /** Kill one part with `signal` and wait until it exited. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(name)
    if (child === undefined) throw new Error(`no part ${name}`)
    child.process.kill(signal)
    await child.exited
  }

  /** Set a parameter (raw text); resolves the new parameter hash. */
  setParameter(name: string, value: string): Promise<string> {
    return json<string>(`${this.controller}/api/v1/parameter/${name}`, {
      method: 'POST',
      body: value,
    })
  }

  /** Post a uniform map of `frames` images (one constraint per event); resolves the scan id. */
  startScan(frames: number): Promise<string> {
    const map = { cam: Array.from({ length: frames }, (_, i) => [{ constraint: i }]) }
    return json<string>(`${this.controller}/api/v1/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(map),
    })
  }

  progress(): Promise<Progress> {
    return json<Progress>(`${this.controller}/api/v1/progress`)
  }

  publish(): Promise<FaultPublish> {
    return json<FaultPublish>(`${this.reducer}/api/v1/result/`)
  }

  /** Log entries at or above `level` from `/api/v1/logs`. */
  logs(level = 'warning'): Promise<{ level: string; message: string; name: string }[]> {
    return json(`${this.controller}/api/v1/logs?level=${level}`)
  }

  /** Wait until the scan ended (finished, stopped or failed); resolves the last progress. */
  async waitEnded(timeoutMs: number): Promise<Progress> {
    let last: Progress | undefined
    try {
      await vi.waitFor(
        async () => {
          last = await this.progress()
          if (!last.finished) throw new Error(`not finished: ${JSON.stringify(last)}`)
        },
        { timeout: timeoutMs, interval: 250 },
      )
    } catch (err) {
      // What every process printed, kept whole for the post-mortem and quoted in the failure.
      const file = join('test-results', `${this.prefix}.log`)
      await mkdir('test-results', { recursive: true })
      // With the controller's view of who holds which event and the workers' connections.
      const views = await Promise.all(
        ['status', 'config'].map((what) =>
          json(`${this.controller}/api/v1/${what}`).then(
            (v) => `--- /api/v1/${what}\n${JSON.stringify(v)}`,
            (e: unknown) => `--- /api/v1/${what}: ${String(e)}`,
          ),
        ),
      )
      await writeFile(
        file,
        [...this.#all.map((c) => `--- ${c.name}\n${c.output()}`), ...views].join('\n'),
      )
      throw new Error(
        `${(err as Error).message}\n(every process's output: ${file})\n${this.output()}`,
      )
    }
    return last!
  }

  /** What every part printed, for failure messages. */
  output(): string {
    return this.#all.map((c) => `--- ${c.name}\n${c.output().slice(-4000)}`).join('\n')
  }

  /** Stop every process and delete the keys of this deployment. */
  async close(): Promise<void> {
    await stopAll(this.#all, 3000)
    const redis = new Redis(this.#o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      const keys = await redis.keys(`${this.prefix}:*`)
      if (keys.length > 0) await redis.del(...keys)
    } catch {
      // The test's own Redis may be gone already: nothing to clean.
    } finally {
      redis.disconnect()
    }
  }
}

/** Frames reduced other than exactly once: missing ones and extra ones, by frame number. */
export function countFaults(
  p: FaultPublish,
  frames: number,
): { missing: number[]; doubled: number[] } {
  const missing: number[] = []
  const doubled: number[] = []
  for (let f = 0; f < frames; f++) {
    const n = p.count[String(f)] ?? 0
    if (n === 0) missing.push(f)
    else if (n > 1) doubled.push(f)
  }
  return { missing, doubled }
}
