/**
 * End-to-end cases on a live cluster (see `live-cluster.ts`): `small` (64×64 uint16 frames as
 * fast as the pipeline takes them), `large` (4 MiB frames), `latency` (1 kHz, simulator send →
 * reducer `processResult`). Each runs one unmeasured warm-up scan, then `--runs` scans on the
 * same processes. Prints a `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-live.js --workers=2 --cases=small,large,latency [--runs=5] [--quick]
 *     [--label=scaling] [--cpu-prof=<dir>]
 */
import { argValue, type BenchRow, emitReport, quantile } from './bench-report.js'
import { type ScanFigures, startCluster } from './live-cluster.js'

const quick = process.argv.includes('--quick')
const workers = Number(argValue('workers') ?? 2)
const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
const cases = (argValue('cases') ?? 'small').split(',')
const label = argValue('label')
const cpuProfDir = argValue('cpu-prof')
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const SMALL: [number, number] = [64, 64]
const LARGE: [number, number] = [2048, 1024]
const LARGE_BYTES = LARGE[0] * LARGE[1] * 2

/** CPU µs per event of each process, median over the runs. */
function cpuPerEvent(figures: readonly ScanFigures[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of Object.keys(figures[0]?.cpuSeconds ?? {})) {
    const per = figures.map((f) => ((f.cpuSeconds[name] ?? 0) * 1e6) / f.images)
    out[name] = Math.round(quantile(per, 0.5))
  }
  return out
}

const cluster = await startCluster({
  workers,
  redisUrl,
  ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
})
const rows: BenchRow[] = []
try {
  if (cases.includes('small')) {
    const frames = quick ? 5_000 : 20_000
    await cluster.scan({ frames: 2_000, shape: SMALL, rateHz: 0, stamp: false })
    const figures: ScanFigures[] = []
    for (let i = 0; i < runs; i++) {
      figures.push(await cluster.scan({ frames, shape: SMALL, rateHz: 0, stamp: false }))
    }
    const samples = figures.map((f) => f.eventsPerSecond)
    const extra = {
      frames,
      wallSeconds: figures.map((f) => f.wallSeconds),
      cpuMicrosecondsPerEvent: cpuPerEvent(figures),
    }
    if (label === undefined) {
      rows.push({
        case: 'small events',
        metric: `64×64 u16, ${workers} workers`,
        unit: 'events/s',
        samples,
        referenceId: 'raw-small',
        targets: [
          { op: '>=', value: 20_000 },
          { op: '>=', value: 0.25, ofReference: true },
        ],
        extra,
      })
    }
    rows.push({
      case: 'scaling',
      metric: `small events, ${workers} worker${workers === 1 ? '' : 's'}`,
      unit: 'events/s',
      samples,
      ...(workers === 1 ? { id: 'scaling-1' } : {}),
      referenceId: 'scaling-1',
      extra,
    })
  }
  if (cases.includes('large')) {
    const frames = quick ? 100 : 300
    await cluster.scan({ frames: 20, shape: LARGE, rateHz: 0, stamp: false })
    const figures: ScanFigures[] = []
    for (let i = 0; i < runs; i++) {
      figures.push(await cluster.scan({ frames, shape: LARGE, rateHz: 0, stamp: false }))
    }
    rows.push({
      case: 'large frames',
      metric: `4 MiB frames, ${workers} workers`,
      unit: 'GB/s',
      samples: figures.map((f) => (f.eventsPerSecond * LARGE_BYTES) / 1e9),
      referenceId: 'raw-large',
      targets: [{ op: '>=', value: 0.5, ofReference: true }],
      extra: {
        frames,
        framesPerSecond: figures.map((f) => f.eventsPerSecond),
        cpuMicrosecondsPerEvent: cpuPerEvent(figures),
      },
    })
  }
  if (cases.includes('latency')) {
    const frames = quick ? 2_000 : 5_000
    await cluster.scan({ frames: 500, shape: SMALL, rateHz: 1000, stamp: true })
    const figures: ScanFigures[] = []
    for (let i = 0; i < runs; i++) {
      figures.push(await cluster.scan({ frames, shape: SMALL, rateHz: 1000, stamp: true }))
    }
    const all = figures.flatMap((f) => f.latenciesMs)
    const toWorker = figures.flatMap((f) => f.toWorkerMs)
    const extra = {
      frames,
      toWorkerP50: quantile(toWorker, 0.5),
      toWorkerP99: quantile(toWorker, 0.99),
      pooledP50: quantile(all, 0.5),
      pooledP99: quantile(all, 0.99),
      pooledMax: quantile(all, 1),
    }
    rows.push({
      case: 'latency',
      metric: `1 kHz, send → processResult, p50`,
      unit: 'ms',
      samples: figures.map((f) => quantile(f.latenciesMs, 0.5)),
      targets: [{ op: '<=', value: 1 }],
      extra,
    })
    rows.push({
      case: 'latency',
      metric: `1 kHz, send → processResult, p99`,
      unit: 'ms',
      samples: figures.map((f) => quantile(f.latenciesMs, 0.99)),
      targets: [{ op: '<=', value: 5 }],
    })
  }
} finally {
  await cluster.close()
}
emitReport({ rows })
