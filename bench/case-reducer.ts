/**
 * `reducer` case: results per second through the reducer's result-handling path in one
 * process: `decodeResultBatch` of encoded 64-item batches (small CBOR payloads, as a worker's
 * `ResultBatchBuilder` makes them), then `ScanRun.reduce` — exactly-once filter, payload
 * decoding, the bench reducer's `processResult`, metrics and completion reports (to an
 * in-memory control plane). The zmq receive is the `raw` case's business. Prints a
 * `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-reducer.js [--runs=5] [--quick]
 */
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { ReducerMetrics, ScanDurability, ScanRun } from '../reducer/index.js'
import {
  createInlineReducerRunner,
  createMemoryControlPlane,
  decodeResultBatch,
  encodePayload,
  eventNumber,
  FailureLog,
  ResultBatchBuilder,
  ScanId,
  slot,
  WorkerName,
} from '../src/internal.js'
import { argValue, emitReport } from './bench-report.js'

const quick = process.argv.includes('--quick')
const MODULE = `${fileURLToPath(new URL('./bench-analysis.js', import.meta.url))}:BenchReducer`
const runs = Number(argValue('runs') ?? (quick ? 3 : 5))
const RESULTS = quick ? 200_000 : 1_000_000
const BATCH = 64
const SCAN = ScanId.parse('bench-reducer')
const WORKER = WorkerName.parse('w0')

async function once(): Promise<number> {
  const plane = createMemoryControlPlane({ keyPrefix: 'bench' })
  await plane.start()
  // The reducer's own runner: the class in this thread, each batch under a time limit.
  const limits = { callTimeoutMs: 60_000, lifecycleTimeoutMs: 60_000, memoryMiB: Infinity }
  const runner = await createInlineReducerRunner(MODULE, limits)
  await runner.begin({ parameters: {}, state: { name: 'reducer', tags: [] } })
  const run = new ScanRun({
    scanId: SCAN,
    module: MODULE,
    analysis: { current: runner, replace: () => Promise.reject(new Error('no replacement')) },
    warn: () => {},
    ack: () => {},
    // Snapshots and completion reports as the reducer makes them, on an in-memory plane.
    durability: (r) =>
      new ScanDurability({
        plane,
        scanId: SCAN,
        sessions: r.sessions,
        inLane: async (task) => task(),
        capture: () => r.capture(),
        ack: () => {},
        intervalMs: 200,
        idleMs: 10,
      }),
    metrics: new ReducerMetrics(() => 0),
    failures: new FailureLog({
      logger: pino({ level: 'silent' }),
      role: 'reducer',
      name: 'reducer',
    }),
    minDedupCompactSize: 4096,
  })
  // Encoded up front, as they would arrive from workers; decoding is timed.
  const batches: Uint8Array[][] = []
  const builder = new ResultBatchBuilder(SCAN, WORKER, 'bench')
  for (let e = 0; e < RESULTS; e++) {
    builder.result(eventNumber(e), slot(e), 'h0', encodePayload({ f: e }))
    if (builder.itemCount === BATCH) batches.push(builder.finish(batches.length))
  }
  const life = new AbortController()
  const signal = life.signal
  const durable = run.completions.run(signal)
  const from = Buffer.from('w0')
  const t0 = performance.now()
  for (const parts of batches) await run.reduce(decodeResultBatch(parts), from, {}, signal)
  await run.completions.save()
  const seconds = (performance.now() - t0) / 1000
  life.abort()
  await durable
  await plane.close()
  if (run.counts.reduced !== batches.length * BATCH) {
    throw new Error(`reduced ${run.counts.reduced} of ${batches.length * BATCH}`)
  }
  return run.counts.reduced / seconds
}

await once()
const samples: number[] = []
for (let i = 0; i < runs; i++) samples.push(await once())
emitReport({
  rows: [
    {
      case: 'reducer',
      metric: 'results into processResult, 64/batch, in-process',
      unit: 'results/s',
      samples,
      targets: [{ op: '>=', value: 100_000 }],
    },
  ],
})
