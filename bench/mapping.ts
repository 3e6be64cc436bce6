/**
 * Assignment throughput and memory of the trigger-map engine (issue 3).
 *
 * A uniform sequence (one stream, a part of 1,000 events where event i carries constraint i,
 * repeated, all_wrap on) is assigned to 10 workers that each ask for 100 credits, report their
 * events complete, and ask again, until the scan is complete. Printed per size: events per
 * second (request + complete), the same including the ingester's route reads, the heap retained
 * after forced GCs at checkpoints (it must not grow with the scan), peak sampled heap and RSS.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/mapping.js [sizes…]
 *
 * Reference (2-core dev container, Node 20.20, load average ~3–4 from other jobs):
 *   100,002 events ≈ 1.1–3 M events/s, 1,000,002 ≈ 4.9–8 M/s, 10,000,002 ≈ 10–15 M/s
 *   (cold JIT at the small sizes); retained heap within ±0.5 MiB of the start at every size.
 */

import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  Assigner,
  compileScanPlan,
  type EventRange,
  streamName,
  uniformSequence,
  type WorkerName,
  workerName,
} from '../src/internal.js'

const PART_EVENTS = 1000
const WORKERS = 10
const CREDITS = 100
const STREAM = streamName('eiger')

interface Result {
  readonly events: number
  readonly seconds: number
  readonly withRoutesSeconds: number
  readonly retainedGrowthBytes: number
  readonly peakHeapBytes: number
  readonly peakRssBytes: number
}

function collector(): () => void {
  setFlagsFromString('--expose-gc')
  const gc: unknown = runInNewContext('gc')
  if (typeof gc !== 'function') throw new Error('cannot expose the garbage collector')
  return () => {
    gc()
    gc()
  }
}

const collect = collector()

interface Run {
  readonly eventCount: number
  /** Wall time of the scan (checkpoint GCs excluded). */
  readonly seconds: number
  /** Largest heap growth over the start, measured after forced GCs at 25, 50 and 75%. */
  readonly retainedGrowthBytes: number
  /** Largest heap seen (sampled, garbage included). */
  readonly peakHeapBytes: number
}

/** Drive one whole scan; optionally read every released range's routes like an ingester would. */
export function drive(events: number, mode: 'timed' | 'routes' | 'memory'): Run {
  const readRoutes = mode === 'routes'
  const plan = compileScanPlan(uniformSequence([STREAM], PART_EVENTS, events / PART_EVENTS))
  const assigner = new Assigner(plan)
  const names: WorkerName[] = Array.from({ length: WORKERS }, (_, i) => workerName(`w${i}`))
  for (const name of names) assigner.addWorker(name)
  const held = new Map<WorkerName, readonly EventRange[]>(names.map((n) => [n, []]))
  const checkpoints =
    mode === 'memory' ? [0.25, 0.5, 0.75].map((f) => Math.floor(plan.eventCount * f)) : []
  collect()
  const baseline = process.memoryUsage().heapUsed
  let retained = Number.NEGATIVE_INFINITY
  let peakHeap = baseline
  let pausedMs = 0
  let rounds = 0
  const t0 = performance.now()
  while (!assigner.finished) {
    for (const name of names) {
      const mine = held.get(name)!
      if (mine.length > 0) assigner.complete(name, mine)
      held.set(name, [])
      const batch = assigner.request(name, CREDITS)
      for (const grant of batch.grants) held.set(grant.worker, grant.events)
      const [from, to] = batch.released
      if (readRoutes && to > from) assigner.routes(STREAM, from, to)
    }
    if (++rounds % 16 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
    const next = checkpoints[0]
    if (next !== undefined && assigner.completedFrontier >= next) {
      checkpoints.shift()
      const g0 = performance.now()
      collect()
      retained = Math.max(retained, process.memoryUsage().heapUsed - baseline)
      pausedMs += performance.now() - g0
    }
  }
  const seconds = (performance.now() - t0 - pausedMs) / 1000
  return {
    eventCount: plan.eventCount,
    seconds,
    retainedGrowthBytes: retained,
    peakHeapBytes: peakHeap,
  }
}

function measure(events: number): Result {
  // Forced GCs perturb the JIT, so timing and memory come from separate runs.
  const run = drive(events, 'timed')
  const withRoutes = drive(events, 'routes')
  const memory = drive(events, 'memory')
  return {
    events: run.eventCount,
    seconds: run.seconds,
    withRoutesSeconds: withRoutes.seconds,
    retainedGrowthBytes: memory.retainedGrowthBytes,
    peakHeapBytes: Math.max(run.peakHeapBytes, memory.peakHeapBytes),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const kib = (bytes: number) => `${bytes >= 0 ? '+' : ''}${(bytes / 1024).toFixed(0)} KiB`

function main(): void {
  const sizes = process.argv.slice(2).map(Number)
  const targets = sizes.length > 0 ? sizes : [100_000, 1_000_000, 10_000_000]
  for (const n of targets) {
    if (!Number.isInteger(n) || n <= 0 || n % PART_EVENTS !== 0) {
      throw new Error(`sizes must be positive multiples of ${PART_EVENTS}, got ${n}`)
    }
  }
  console.log(
    `beamloom mapping bench: uniform sequence (part of ${PART_EVENTS} events, constraint i), ` +
      `all_wrap, ${WORKERS} workers, ${CREDITS} credits per request, node ${process.version}`,
  )
  drive(100_000, 'routes') // warm-up: let the JIT settle before timing
  const results = targets.map(measure)
  const header = [
    'events',
    'time [s]',
    'events/s',
    'events/s +routes',
    'retained heap',
    'peak heap',
    'peak RSS',
  ]
  const rows = results.map((r) => [
    fmt(r.events),
    r.seconds.toFixed(3),
    fmt(r.events / r.seconds),
    fmt(r.events / r.withRoutesSeconds),
    kib(r.retainedGrowthBytes),
    mib(r.peakHeapBytes),
    mib(r.peakRssBytes),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')
  console.log(line(header))
  for (const row of rows) console.log(line(row))
  const first = results[0]!
  const last = results[results.length - 1]!
  // Floor at 64 KiB: below that the difference is GC noise, and a ratio of noise means nothing.
  const floor = 64 * 1024
  const retainedRatio =
    Math.max(last.retainedGrowthBytes, floor) / Math.max(first.retainedGrowthBytes, floor)
  console.log(
    `events ×${(last.events / first.events).toFixed(0)}: retained heap ×${retainedRatio.toFixed(2)} ` +
      `(${kib(first.retainedGrowthBytes)} → ${kib(last.retainedGrowthBytes)}), peak RSS ×` +
      `${(last.peakRssBytes / first.peakRssBytes).toFixed(2)}, throughput ×` +
      `${(last.events / last.seconds / (first.events / first.seconds)).toFixed(2)}`,
  )
  console.log(
    'retained heap: heap growth over the start of the scan after forced GCs at 25/50/75% (what the\n' +
      'assigner keeps); peak heap: largest sampled heapUsed, garbage included; peak RSS: process maximum.',
  )
}

// Run when invoked as a script, not when `case-assignment.ts` imports `drive`.
if (process.argv[1] === fileURLToPath(import.meta.url)) main()
