/**
 * A live beamloom cluster for the end-to-end benchmarks: controller, reducer, N workers and a
 * STINS ingester, each a real `beamloom` process (compiled, from dist/) on real Redis with a
 * unique key prefix, running the bench analysis. `scan()` runs one scan fed by
 * `bench-simulator.js` and returns what the reducer measured.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { DATA_PATH_ENV, DATA_PATH_NODE_FLAGS, DATA_PATH_ROLES } from '../src/internal.js'
import type { ProbeReading } from './gc-probe.js'
import { GcTraceTally } from './gc-trace.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = `${root}bin/beamloom.js`
const analysis = `${root}dist/bench/bench-analysis.js`
const simulator = `${root}dist/bench/bench-simulator.js`
const probePreload = `${root}dist/bench/gc-probe-preload.js`

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  readonly workers: number
  readonly redisUrl: string
  /** Write a `--cpu-prof` profile of every process into this directory. */
  readonly cpuProfDir?: string
}

/** One scan's figures, from the reducer's clock. */
export interface ScanFigures {
  readonly images: number
  /** Images per second between the first and the last image result at the reducer. */
  readonly eventsPerSecond: number
  /** Seconds from posting the mapping to the controller reporting it finished. */
  readonly wallSeconds: number
  /** Simulator send → reducer `processResult`, ms, for stamped scans. */
  readonly latenciesMs: number[]
  /** Simulator send → worker `processEvent`, ms, for stamped scans. */
  readonly toWorkerMs: number[]
  /** CPU seconds each process spent during the scan (from /proc), by process name. */
  readonly cpuSeconds: Record<string, number>
  /**
   * Per process (by name), during the scan: collection pauses, event-loop busy time and CPU,
   * ms (`gc-probe.ts`, sampled every 100 ms).
   */
  readonly probes: Record<string, ProbeReading>
  /**
   * Per process (by name), during the scan: the main thread's collection time from its
   * `--trace-gc` lines, pauses and incremental marking steps, ms (`gc-trace.ts`; the probes'
   * `gcMs` has the pauses only).
   */
  readonly gcTraceMs: Record<string, number>
}

/** Options of {@link Cluster.scan}. */
export interface ScanOptions {
  readonly frames: number
  readonly shape: readonly [number, number]
  /** 0: as fast as the pipeline takes them. */
  readonly rateHz: number
  readonly stamp: boolean
}

/** A running cluster (see {@link startCluster}). */
export interface Cluster {
  scan(options: ScanOptions): Promise<ScanFigures>
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

const TICKS_PER_SECOND = 100

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat (Linux). */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    // The process is gone: nothing more to count.
    return 0
  }
}

/** The latest totals a process's probe wrote, if any yet. */
function probeOf(dir: string, pid: number | undefined): ProbeReading | undefined {
  if (pid === undefined) return undefined
  try {
    return JSON.parse(readFileSync(path.join(dir, `${pid}.json`), 'utf8')) as ProbeReading
  } catch {
    // Not written yet, or caught mid-write: the caller treats it as missing.
    return undefined
  }
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/**
 * Poll `check` every `intervalMs` until it holds. The controller logs every request, so the
 * scan itself is polled slowly (100 ms): the rate comes from the reducer's clock anyway.
 */
async function poll(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return
    } catch {
      // Not up yet: the HTTP server may not listen yet; retried until the deadline.
    }
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/**
 * The node flags a cluster process of `role` starts with: those a deployment gives it
 * (`DATA_PATH_NODE_FLAGS` for workers and ingesters, as the Helm chart does), replaced by
 * `BENCH_DATA_PATH_FLAGS` when set (`''` for none, to compare), then `BENCH_NODE_FLAGS` for
 * every process (e.g. `--trace-gc`, for investigations).
 */
export function benchNodeFlags(role: string, env: NodeJS.ProcessEnv): string[] {
  const words = (text: string): string[] => text.split(' ').filter((f) => f !== '')
  const dataPath = env.BENCH_DATA_PATH_FLAGS
  const own = DATA_PATH_ROLES.includes(role)
    ? dataPath === undefined
      ? [...DATA_PATH_NODE_FLAGS]
      : words(dataPath)
    : []
  return [...own, ...words(env.BENCH_NODE_FLAGS ?? '')]
}

/**
 * The environment a cluster process of `role` adds to the bench's own: what a deployment gives
 * it (`DATA_PATH_ENV` for workers and ingesters, as the Helm chart does), or, when
 * `BENCH_DATA_PATH_ENV` is set, the `NAME=value` words it lists instead (`''` for none, to
 * compare). A variable already in the bench's environment is left as it is.
 */
export function benchDataPathEnv(role: string, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!DATA_PATH_ROLES.includes(role)) return {}
  const listed = env.BENCH_DATA_PATH_ENV
  const pairs =
    listed === undefined
      ? Object.entries(DATA_PATH_ENV)
      : listed
          .split(' ')
          .filter((w) => w !== '')
          .map((w): [string, string] => {
            const at = w.indexOf('=')
            if (at <= 0) throw new Error(`BENCH_DATA_PATH_ENV: '${w}' is not NAME=value`)
            return [w.slice(0, at), w.slice(at + 1)]
          })
  return Object.fromEntries(pairs.filter(([name]) => env[name] === undefined))
}

/** Start every process of the cluster and wait until the controller sees them all. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  // Every process writes its GC and CPU totals here (gc-probe-preload.ts).
  const probeDir = mkdtempSync(
    path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'beamloom-bench-'),
  )
  const env = {
    ...process.env,
    BENCH_PROBE_DIR: probeDir,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  }
  const children: { name: string; child: ChildProcess; out: string[]; gc: GcTraceTally }[] = []
  const run = (name: string, script: string, args: string[]): ChildProcess => {
    const nodeFlags = benchNodeFlags(args[0] ?? '', process.env)
    const prof =
      options.cpuProfDir === undefined
        ? []
        : [
            '--cpu-prof',
            `--cpu-prof-dir=${options.cpuProfDir}`,
            `--cpu-prof-name=${name}.cpuprofile`,
          ]
    const preload = ['--import', probePreload]
    // --trace-gc: each collection on stdout, with the incremental marking the probe misses.
    const traced = ['--trace-gc', ...nodeFlags, ...preload, ...prof, script, ...args]
    const child = spawn(process.execPath, traced, {
      env: { ...env, ...benchDataPathEnv(args[0] ?? '', process.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: string[] = []
    const keep = (text: string): void => {
      if (text === '') return
      out.push(text)
      if (out.length > 200) out.shift()
    }
    const gc = new GcTraceTally()
    child.stdout?.on('data', (d: Buffer) => keep(gc.feed(d.toString())))
    child.stderr?.on('data', (d: Buffer) => keep(d.toString()))
    children.push({ name, child, out, gc })
    return child
  }
  const [cp, rp, sp] = [await freePort(), await freePort(), await freePort()]
  const controller = `http://127.0.0.1:${cp}`
  const reducer = `http://127.0.0.1:${rp}`
  run('controller', bin, ['controller', '--host', '127.0.0.1', '--port', String(cp)])
  run('reducer', bin, ['reducer', '-r', `${analysis}:BenchReducer`, '--port', String(rp)])
  for (let i = 0; i < options.workers; i++) {
    run(`worker-${i}`, bin, ['worker', '-w', `${analysis}:BenchWorker`, '--name', `w${i}`])
  }
  const upstream = `tcp://127.0.0.1:${sp}`
  run('ingester', bin, ['ingester', 'stins', '--stream', 'cam', '--upstream', upstream])

  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }),
    )
    rmSync(probeDir, { recursive: true, force: true })
    const redis = new Redis(options.redisUrl)
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
  }
  const outputs = (): string =>
    children.map(({ name, out }) => `--- ${name}\n${out.join('').slice(-2000)}`).join('\n')

  try {
    await poll('the cluster to register', 60_000, async () => {
      const config = await json<{ workers: unknown[]; ingesters: unknown[]; reducer: unknown }>(
        `${controller}/api/v1/config`,
      )
      return (
        config.workers.length === options.workers &&
        config.ingesters.length === 1 &&
        Boolean(config.reducer)
      )
    })
  } catch (err) {
    await stop()
    throw new Error(`${(err as Error).message}\n${outputs()}`)
  }

  return {
    async scan(scan: ScanOptions): Promise<ScanFigures> {
      const sim = spawn(
        process.execPath,
        [
          simulator,
          String(sp),
          String(scan.frames),
          String(scan.shape[0]),
          String(scan.shape[1]),
          String(scan.rateHz),
          scan.stamp ? '1' : '0',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      let simOut = ''
      sim.stdout?.on('data', (d: Buffer) => {
        simOut += d.toString()
      })
      const before = children.map(({ child }) => cpuOf(child.pid))
      const probesBefore = children.map(({ child }) => probeOf(probeDir, child.pid))
      const gcBefore = children.map(({ gc }) => gc.mainMs)
      const simExit = new Promise<number | null>((r) => sim.once('exit', (code) => r(code)))
      const map = { cam: Array.from({ length: scan.frames }, (_, i) => [{ constraint: i }]) }
      const posted = performance.now()
      await json<string>(`${controller}/api/v1/mapping`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(map),
      })
      const timeoutMs = 60_000 + scan.frames * 2
      try {
        await poll(
          'the scan to finish',
          timeoutMs,
          async () => {
            const p = await json<{ finished: boolean }>(`${controller}/api/v1/progress`)
            return p.finished
          },
          100,
        )
      } catch (err) {
        sim.kill('SIGKILL')
        throw new Error(`${(err as Error).message}\n${outputs()}`)
      }
      const wallSeconds = (performance.now() - posted) / 1000
      const cpuSeconds: Record<string, number> = {}
      children.forEach(({ name, child }, i) => {
        cpuSeconds[name] = cpuOf(child.pid) - (before[i] ?? 0)
      })
      // The probes write every 100 ms: let each write once more after the scan finished.
      await new Promise((r) => setTimeout(r, 250))
      const gcTraceMs: Record<string, number> = {}
      children.forEach(({ name, gc }, i) => {
        gcTraceMs[name] = gc.mainMs - (gcBefore[i] ?? 0)
      })
      const probes: Record<string, ProbeReading> = {}
      children.forEach(({ name, child }, i) => {
        const now = probeOf(probeDir, child.pid)
        const then = probesBefore[i]
        if (now === undefined || then === undefined) return
        probes[name] = {
          cpuMs: now.cpuMs - then.cpuMs,
          systemMs: now.systemMs - then.systemMs,
          minorFaults: now.minorFaults - then.minorFaults,
          busyMs: now.busyMs - then.busyMs,
          gcMs: now.gcMs - then.gcMs,
          gcCount: now.gcCount - then.gcCount,
          gcOver1ms: now.gcOver1ms - then.gcOver1ms,
          gcOver5ms: now.gcOver5ms - then.gcOver5ms,
          heapMiB: now.heapMiB,
        }
      })
      const code = await simExit
      if (code !== 0) throw new Error(`bench simulator exited with ${code}`)
      cpuSeconds.simulator = (JSON.parse(simOut) as { cpuSeconds: number }).cpuSeconds
      const p = await json<{
        images: number
        firstMs: number
        lastMs: number
        latenciesMs: number[]
        toWorkerMs: number[]
      }>(`${reducer}/api/v1/result/`)
      if (p.images !== scan.frames) {
        throw new Error(`reducer saw ${p.images} images of ${scan.frames}`)
      }
      return {
        images: p.images,
        eventsPerSecond: ((p.images - 1) * 1000) / Math.max(p.lastMs - p.firstMs, 1e-3),
        wallSeconds,
        latenciesMs: p.latenciesMs,
        toWorkerMs: p.toWorkerMs,
        cpuSeconds,
        probes,
        gcTraceMs,
      }
    },
    close: stop,
  }
}
