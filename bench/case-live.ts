/**
 * End-to-end cases on a live cluster (see `live-cluster.ts`): `small` (64×64 uint16 frames as
 * fast as the pipeline takes them), `large` (1 MiB and 4 MiB frames, `--sizes=1,4`; GB/s, CPU
 * per MiB and GC share per process), `latency` (1 kHz, simulator send → reducer
 * `processResult`). Each runs one unmeasured warm-up scan, then `--runs` scans on the
 * same processes. Prints a `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-live.js --workers=2 --cases=small,large,latency [--runs=5] [--quick]
 *     [--label=scaling] [--cpu-prof=<dir>] [--sizes=1,4]
 */
import { argValue, type BenchRow, emitReport, quantile } from './bench-report.js'
import type { ProbeReading } from './gc-probe.js'
import { type ScanFigures, startCluster } from './live-cluster.js'

const quick = process.argv.includes('--quick')
const workers = Number(argValue('workers') ?? 2)
const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
const cases = (argValue('cases') ?? 'small').split(',')
const label = argValue('label')
const cpuProfDir = argValue('cpu-prof')
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const SMALL: [number, number] = [64, 64]
const MIB = 1 << 20
/** Frame sizes of the large case, MiB (`--sizes=1,4`); uint16 frames of 1024 columns. */
const largeSizes = (argValue('sizes') ?? '1,4').split(',').map(Number)

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
/**
 * The large-frame case at one size: GB/s against the bare two-hop reference of the same run
 * (`two-hop.ts`), and each process's CPU per MiB and GC share (issue 14).
 */
async function largeFrames(mib: number): Promise<BenchRow[]> {
  const shape: [number, number] = [mib * 512, 1024]
  const bytes = mib * MIB
  // About 1.2 GB per scan (0.4 GB quick).
  const frames = Math.round((quick ? 400 : 1200) / mib)
  await cluster.scan({ frames: Math.max(20, frames / 10), shape, rateHz: 0, stamp: false })
  const figures: ScanFigures[] = []
  for (let i = 0; i < runs; i++) {
    figures.push(await cluster.scan({ frames, shape, rateHz: 0, stamp: false }))
  }
  const mibs = (f: ScanFigures): number => (f.images * bytes) / MIB
  const workerNames = Array.from({ length: workers }, (_, i) => `worker-${i}`)
  const sum = (f: ScanFigures, pick: (p: ProbeReading) => number, names: string[]): number =>
    names.reduce((acc, n) => acc + (f.probes[n] === undefined ? 0 : pick(f.probes[n])), 0)
  const cpuPerMiB = (names: string[]): number[] =>
    figures.map((f) => sum(f, (p) => p.cpuMs, names) / mibs(f))
  // Collection time over event-loop busy time, %: from `--trace-gc` (pauses and incremental
  // marking steps, `gc-trace.ts`), or from the probes' pauses alone (`pausesOnly`).
  const gcTime = (f: ScanFigures, names: string[], pausesOnly: boolean): number =>
    pausesOnly
      ? sum(f, (p) => p.gcMs, names)
      : names.reduce((acc, n) => acc + (f.gcTraceMs[n] ?? 0), 0)
  const gcShare = (names: string[], pausesOnly = false): number[] =>
    figures.map(
      (f) =>
        (gcTime(f, names, pausesOnly) /
          Math.max(
            sum(f, (p) => p.busyMs, names),
            1e-3,
          )) *
        100,
    )
  const what = `${mib} MiB frames, ${workers} workers`
  const perProcess = Object.fromEntries(
    Object.keys(figures[0]?.probes ?? {}).map((n) => [
      n,
      {
        cpuMsPerMiB: quantile(cpuPerMiB([n]), 0.5),
        gcPercent: quantile(gcShare([n]), 0.5),
        gcPausesPercent: quantile(gcShare([n], true), 0.5),
        gcCount: quantile(
          figures.map((f) => f.probes[n]?.gcCount ?? 0),
          0.5,
        ),
        heapMiB: quantile(
          figures.map((f) => f.probes[n]?.heapMiB ?? 0),
          0.5,
        ),
      },
    ]),
  )
  process.stderr.write(
    `large ${mib} MiB: ${figures.map((f) => ((f.eventsPerSecond * bytes) / 1e9).toFixed(2)).join(' / ')} GB/s\n`,
  )
  return [
    {
      case: 'large frames',
      metric: what,
      unit: 'GB/s',
      samples: figures.map((f) => (f.eventsPerSecond * bytes) / 1e9),
      referenceId: `two-hop-${mib}`,
      targets: [
        { op: '>=', value: 0.5, ofReference: true },
        { op: '>=', value: 1.5 },
      ],
      extra: {
        frames,
        framesPerSecond: figures.map((f) => f.eventsPerSecond),
        cpuMicrosecondsPerEvent: cpuPerEvent(figures),
        perProcess,
      },
    },
    {
      case: 'large frames',
      metric: `${mib} MiB, ingester CPU`,
      unit: 'ms/MiB',
      samples: cpuPerMiB(['ingester']),
      targets: [{ op: '<=', value: 0.3 }],
    },
    {
      case: 'large frames',
      metric: `${mib} MiB, workers' CPU (all)`,
      unit: 'ms/MiB',
      samples: cpuPerMiB(workerNames),
      targets: [{ op: '<=', value: 0.3 }],
    },
    {
      case: 'large frames',
      metric: `${mib} MiB, ingester GC of busy time`,
      unit: '%',
      samples: gcShare(['ingester']),
      targets: [{ op: '<=', value: 10 }],
    },
    {
      case: 'large frames',
      metric: `${mib} MiB, workers' GC of busy time`,
      unit: '%',
      samples: gcShare(workerNames),
      targets: [{ op: '<=', value: 10 }],
    },
  ]
}

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
    for (const mib of largeSizes) rows.push(...(await largeFrames(mib)))
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
    // Collection pauses over 1 ms and 5 ms per process, summed over the scans: the tail's suspects.
    const longPauses = Object.fromEntries(
      Object.keys(figures[0]?.probes ?? {}).map((n) => [
        n,
        figures.reduce(
          (acc, f) => [
            acc[0]! + (f.probes[n]?.gcOver1ms ?? 0),
            acc[1]! + (f.probes[n]?.gcOver5ms ?? 0),
          ],
          [0, 0],
        ),
      ]),
    )
    const extra = {
      frames,
      gcPausesOver1msAnd5ms: longPauses,
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
      referenceId: 'latency-ref-p50',
      targets: [{ op: '<=', value: 1 }],
      extra,
    })
    rows.push({
      case: 'latency',
      metric: `1 kHz, send → processResult, p99`,
      unit: 'ms',
      samples: figures.map((f) => quantile(f.latenciesMs, 0.99)),
      referenceId: 'latency-ref-p99',
      targets: [{ op: '<=', value: 5 }],
    })
  }
} finally {
  await cluster.close()
}
emitReport({ rows })
