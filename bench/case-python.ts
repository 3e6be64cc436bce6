/**
 * `python` case: the Python analysis host. Small events: STINS 10×10 uint16 images through a
 * Python worker (trivial, and parsing each image with dranspose.middlewares.stream1), in
 * events/s per Python process, against the TypeScript ROI-mean worker on the same events in this
 * process. Large frames: 1 MiB and 4 MiB frames into `process_event` (a numpy view of each), in
 * GB/s, against a plain memory copy of the same bytes in the same run. Prints a `BENCH_RESULT`
 * line (bench-report.ts).
 *
 *   node dist/bench/case-python.js [--runs=5] [--quick]
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EventNumber, RunnerEvent } from '../src/internal.js'
import {
  createPythonWorkerRunner,
  encodeStinsImage,
  makeParameter,
  type Parameters,
} from '../src/internal.js'
import { RoiMeanWorker } from '../workers/examples/roi-mean.js'
import { argValue, type BenchRow, emitReport } from './bench-report.js'

const quick = process.argv.includes('--quick')
const runs = Number(argValue('runs') ?? (quick ? 3 : 5))
const LIMITS = {
  callTimeoutMs: 60_000,
  lifecycleTimeoutMs: 60_000,
  memoryMiB: Number.POSITIVE_INFINITY,
}
const BATCH = 512

function benchModule(cls: string): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'bench', 'python', 'bench_workers.py'))) dir = dirname(dir)
  return `${join(dir, 'bench', 'python', 'bench_workers.py')}:${cls}`
}

function stinsEvents(count: number): RunnerEvent[] {
  const pixels = new Uint16Array(100)
  return Array.from({ length: count }, (_, i) => {
    for (let p = 0; p < pixels.length; p++) pixels[p] = (i * 7 + p) & 0xffff
    const frames = encodeStinsImage({
      msgNumber: i + 1,
      frame: i,
      shape: [10, 10],
      data: pixels.slice(),
    })
    return {
      event: { eventNumber: (i + 1) as EventNumber, streams: { det: { typ: 'STINS', frames } } },
      tick: false,
    }
  })
}

function frameEvents(count: number, bytes: number): RunnerEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const frame = new Uint8Array(bytes).fill(i & 0xff)
    return {
      event: {
        eventNumber: (i + 1) as EventNumber,
        streams: { det: { typ: 'raw', frames: [frame] } },
      },
      tick: false,
    }
  })
}

const parameters: Parameters = Object.freeze({
  roi: makeParameter('roi', new TextEncoder().encode(':,:'), undefined),
})

/** Seconds to run every event through a Python worker, in batches of {@link BATCH}. */
async function pythonSeconds(cls: string, events: RunnerEvent[]): Promise<number> {
  const runner = await createPythonWorkerRunner(benchModule(cls), { limits: LIMITS })
  await runner.begin({ parameters, state: { name: 'bench', tags: ['generic'] } })
  await runner.processEvents(events.slice(0, 64), parameters) // warm-up
  const t0 = performance.now()
  for (let at = 0; at < events.length; at += BATCH) {
    const out = await runner.processEvents(events.slice(at, at + BATCH), parameters)
    if (out.some((o) => o.kind !== 'result'))
      throw new Error(`bench event failed: ${JSON.stringify(out.find((o) => o.kind !== 'result'))}`)
  }
  const seconds = (performance.now() - t0) / 1000
  await runner.close()
  return seconds
}

function tsSeconds(events: RunnerEvent[]): number {
  const worker = new RoiMeanWorker()
  if (events[0] === undefined) return 0
  const t0 = performance.now()
  for (const { event } of events) worker.processEvent(event, parameters)
  return (performance.now() - t0) / 1000
}

function copySeconds(events: RunnerEvent[]): number {
  const target = new Uint8Array(events[0]?.event.streams.det?.frames[0]?.length ?? 0)
  const t0 = performance.now()
  for (const { event } of events) target.set(event.streams.det?.frames[0] as Uint8Array)
  return (performance.now() - t0) / 1000
}

const small = stinsEvents(quick ? 20_000 : 50_000)
const samples: Record<string, number[]> = {
  ts: [],
  trivial: [],
  parse: [],
  copy1: [],
  py1: [],
  copy4: [],
  py4: [],
}
const mib1 = frameEvents(quick ? 200 : 500, 1 << 20)
const mib4 = frameEvents(quick ? 50 : 125, 4 << 20)
const gb = (events: RunnerEvent[], s: number) =>
  (events.length * (events[0]?.event.streams.det?.frames[0]?.length ?? 0)) / 1e9 / s

for (let r = 0; r < runs; r++) {
  samples.ts?.push(small.length / tsSeconds(small))
  samples.trivial?.push(small.length / (await pythonSeconds('TrivialWorker', small)))
  samples.parse?.push(small.length / (await pythonSeconds('ParseWorker', small)))
  samples.copy1?.push(gb(mib1, copySeconds(mib1)))
  samples.py1?.push(gb(mib1, await pythonSeconds('FrameWorker', mib1)))
  samples.copy4?.push(gb(mib4, copySeconds(mib4)))
  samples.py4?.push(gb(mib4, await pythonSeconds('FrameWorker', mib4)))
}

const rows: BenchRow[] = [
  {
    case: 'python',
    metric: 'TS ROI-mean worker in-process, 10×10 u16 (reference)',
    unit: 'events/s',
    samples: samples.ts ?? [],
    id: 'py-ts',
  },
  {
    case: 'python',
    metric: 'Python trivial worker, 1 process, 10×10 u16',
    unit: 'events/s',
    samples: samples.trivial ?? [],
    referenceId: 'py-ts',
    targets: [{ op: '>=', value: 10_000 }],
  },
  {
    case: 'python',
    metric: 'Python worker parsing STINS (middlewares.stream1), 1 process',
    unit: 'events/s',
    samples: samples.parse ?? [],
    referenceId: 'py-ts',
  },
  {
    case: 'python',
    metric: 'memcpy of 1 MiB frames (reference)',
    unit: 'GB/s',
    samples: samples.copy1 ?? [],
    id: 'py-copy1',
  },
  {
    case: 'python',
    metric: '1 MiB frames into process_event (numpy view)',
    unit: 'GB/s',
    samples: samples.py1 ?? [],
    referenceId: 'py-copy1',
    targets: [{ op: '>=', value: 1 }],
  },
  {
    case: 'python',
    metric: 'memcpy of 4 MiB frames (reference)',
    unit: 'GB/s',
    samples: samples.copy4 ?? [],
    id: 'py-copy4',
  },
  {
    case: 'python',
    metric: '4 MiB frames into process_event (numpy view)',
    unit: 'GB/s',
    samples: samples.py4 ?? [],
    referenceId: 'py-copy4',
    targets: [{ op: '>=', value: 1 }],
  },
]
emitReport({ rows })
