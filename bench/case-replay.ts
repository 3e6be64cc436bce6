/**
 * `replay` case: `beamloom replay`'s engine (`runReplay`, 2 worker instances, the trivial bench
 * analysis) over a 10,000-event recording of 64×64 uint16 STINS frames, against reading the same
 * file alone (`readRecording`) in the same run; the two alternate run by run. Prints a
 * `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-replay.js [--runs=5] [--quick]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runReplay } from '../cli/replay/run-replay.js'
import {
  createRecordingWriter,
  encodeStinsImage,
  eventNumber,
  readRecording,
  type StreamName,
} from '../src/internal.js'
import { argValue, emitReport } from './bench-report.js'

const quick = process.argv.includes('--quick')
const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
const EVENTS = 10_000
const analysis = fileURLToPath(new URL('./bench-analysis.js', import.meta.url))

const dir = await mkdtemp(path.join(tmpdir(), 'beamloom-bench-replay-'))
const file = path.join(dir, 'scan.cbors')
try {
  const pixels = new Uint16Array(64 * 64).map((_, i) => i % 997)
  const writer = await createRecordingWriter(file)
  for (let e = 0; e < EVENTS; e++) {
    const frames = encodeStinsImage({ msgNumber: e + 1, frame: e, shape: [64, 64], data: pixels })
    await writer.write({
      eventNumber: eventNumber(e),
      streams: { ['cam' as StreamName]: { typ: 'STINS', frames } },
    })
  }
  await writer.close()

  const read: number[] = []
  const replay: number[] = []
  for (let i = 0; i <= runs; i++) {
    let t0 = performance.now()
    let n = 0
    for await (const _ of readRecording(file)) n++
    const readRate = n / ((performance.now() - t0) / 1000)
    t0 = performance.now()
    const report = await runReplay({
      worker: `${analysis}:BenchWorker`,
      reducer: `${analysis}:BenchReducer`,
      files: [file],
      workers: 2,
    })
    const replayRate = report.events / ((performance.now() - t0) / 1000)
    if (report.events !== EVENTS || report.failures.length > 0) {
      throw new Error(`replay gave ${report.events} events and ${report.failures.length} failures`)
    }
    // The first round warms the JIT and the page cache; it is not counted.
    if (i === 0) continue
    read.push(readRate)
    replay.push(replayRate)
  }
  emitReport({
    rows: [
      {
        case: 'replay',
        metric: 'read the recording alone (reference)',
        unit: 'events/s',
        samples: read,
        id: 'replay-read',
      },
      {
        case: 'replay',
        metric: `runReplay, 10k × 64×64 u16, 2 workers`,
        unit: 'events/s',
        samples: replay,
        referenceId: 'replay-read',
        targets: [{ op: '>=', value: 0.5, ofReference: true }],
      },
    ],
  })
} finally {
  await rm(dir, { recursive: true, force: true })
}
