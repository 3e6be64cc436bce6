import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { vi } from 'vitest'
import { type Child, freePort, spawnBeamloom, stopAll } from './processes.js'

// A deployment of separate `beamloom` processes on Redis, as an operator runs them: a
// controller, a reducer, workers, and one ingester per device stream, each fed by a
// `beamloom simulate <device>` that replays a raw capture. Any worker and reducer module
// (TypeScript or Python).

/** One device stream: its ingester, and the simulator `simulate()` starts for it. */
export interface DeploymentSource {
  readonly device: string
  readonly stream: string
}

/** Options of {@link ProcessDeployment}. */
export interface ProcessDeploymentOptions {
  readonly redisUrl: string
  /** `path:Class` of the workers' and the reducer's analyses. */
  readonly worker: string
  readonly reducer: string
  readonly workers?: number
  readonly sources: readonly DeploymentSource[]
  /** Extra env for every process. */
  readonly env?: Record<string, string>
}

/** The controller's `/api/v1/progress`. */
export interface DeploymentProgress {
  readonly completed_events: number
  readonly total_events: number
  readonly finished: boolean
  readonly status?: string
  readonly failed_events?: number
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** `start()` spawns every process and waits until the controller lists them. */
export class ProcessDeployment {
  readonly prefix = `deploy-${randomUUID().slice(0, 8)}`
  readonly children = new Map<string, Child>()
  readonly #all: Child[] = []
  readonly #o: ProcessDeploymentOptions
  readonly #upstream = new Map<string, number>()
  #controller = 0
  #reducer = 0

  constructor(options: ProcessDeploymentOptions) {
    this.#o = options
  }

  get controller(): string {
    return `http://127.0.0.1:${this.#controller}`
  }

  get reducer(): string {
    return `http://127.0.0.1:${this.#reducer}`
  }

  get #env(): Record<string, string> {
    return {
      REDIS_URL: this.#o.redisUrl,
      REDIS_KEY_PREFIX: this.prefix,
      HEARTBEAT_MS: '200',
      ...this.#o.env,
    }
  }

  async start(): Promise<void> {
    const o = this.#o
    this.#controller = await freePort()
    this.#reducer = await freePort()
    for (const s of o.sources) this.#upstream.set(s.stream, await freePort())
    const env = this.#env
    this.#spawn(
      'controller',
      ['controller', '--host', '127.0.0.1', '--port', String(this.#controller)],
      env,
    )
    this.#spawn('reducer', ['reducer', '-r', o.reducer, '--port', String(this.#reducer)], env)
    const workers = o.workers ?? 2
    for (let i = 0; i < workers; i++) {
      this.#spawn(`w${i}`, ['worker', '-w', o.worker, '--name', `w${i}`], env)
    }
    for (const s of o.sources) {
      const upstream = `tcp://127.0.0.1:${this.#upstream.get(s.stream)}`
      this.#spawn(
        `${s.stream}-ingester`,
        ['ingester', s.device, '--stream', s.stream, '--upstream', upstream],
        env,
      )
    }
    await vi.waitFor(
      async () => {
        const c = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
          `${this.controller}/api/v1/config`,
        )
        if (c.workers.length !== workers) throw new Error(`${c.workers.length} workers`)
        if (c.ingesters.length !== o.sources.length) throw new Error('ingesters')
        if (!c.reducer) throw new Error('no reducer')
      },
      { timeout: 90_000, interval: 200 },
    )
  }

  /** Start the simulator of `stream`, replaying `capture` as fast as it can. */
  simulate(stream: string, capture: string): Child {
    const source = this.#o.sources.find((s) => s.stream === stream)
    if (source === undefined) throw new Error(`no source ${stream}`)
    const bind = `tcp://127.0.0.1:${this.#upstream.get(stream)}`
    const args = ['simulate', source.device, '--bind', bind, '--capture', capture, '--rate', '0']
    return this.#spawn(`${stream}-simulator`, args, { ...this.#o.env })
  }

  /** Post a trigger map (`POST /api/v1/mapping`); resolves the scan id. */
  startScan(map: Record<string, unknown[]>): Promise<string> {
    return json<string>(`${this.controller}/api/v1/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(map),
    })
  }

  /** Set a parameter (raw text); resolves the new parameter hash. */
  setParameter(name: string, value: string): Promise<string> {
    return json<string>(`${this.controller}/api/v1/parameter/${name}`, {
      method: 'POST',
      body: value,
    })
  }

  /** Wait until the scan ended; resolves the last progress. */
  async waitEnded(timeoutMs = 120_000): Promise<DeploymentProgress> {
    let last: DeploymentProgress | undefined
    await vi.waitFor(
      async () => {
        last = await json<DeploymentProgress>(`${this.controller}/api/v1/progress`)
        if (!last.finished) throw new Error(`not finished: ${JSON.stringify(last)}`)
      },
      { timeout: timeoutMs, interval: 250 },
    )
    return last!
  }

  /** `GET <reducer>/api/v1/result/<path>` as JSON. */
  result<T>(path = ''): Promise<T> {
    return json<T>(`${this.reducer}/api/v1/result/${path}`)
  }

  /** What every process printed, for failure messages. */
  output(): string {
    return this.#all.map((c) => `--- ${c.name}\n${c.output().slice(-3000)}`).join('\n')
  }

  /** Stop every process and delete this deployment's keys. */
  async close(): Promise<void> {
    await stopAll(this.#all, 3000)
    const redis = new Redis(this.#o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      const keys = await redis.keys(`${this.prefix}:*`)
      if (keys.length > 0) await redis.del(...keys)
    } catch {
      // Redis may be gone already: nothing to clean.
    } finally {
      redis.disconnect()
    }
  }

  #spawn(name: string, args: string[], env: Record<string, string>): Child {
    const child = spawnBeamloom(name, args, env)
    this.children.set(name, child)
    this.#all.push(child)
    return child
  }
}

/** A map of `events` events, each reading one frame of every stream, one constraint each. */
export function uniformMap(streams: readonly string[], events: number): Record<string, unknown[]> {
  const entries = Array.from({ length: events }, (_, i) => [{ constraint: i }])
  return Object.fromEntries(streams.map((s) => [s, entries]))
}
