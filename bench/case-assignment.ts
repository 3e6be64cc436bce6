/**
 * `assignment` case: trigger-map assignment alone (`mapping.ts`'s uniform sequence, 10 workers,
 * credits of 100, request + complete, with the ingester's route reads), in events per second.
 * Prints a `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-assignment.js [--runs=5] [--quick]
 */
import { argValue, emitReport } from './bench-report.js'
import { drive } from './mapping.js'

const quick = process.argv.includes('--quick')
const runs = Number(argValue('runs') ?? (quick ? 3 : 5))
const EVENTS = quick ? 1_000_000 : 2_000_000

drive(EVENTS, 'routes')
const samples: number[] = []
for (let i = 0; i < runs; i++) {
  const run = drive(EVENTS, 'routes')
  samples.push(run.eventCount / run.seconds)
}
emitReport({
  rows: [
    {
      case: 'assignment',
      metric: `uniform sequence, ${EVENTS / 1e6} M events, 10 workers, with routes`,
      unit: 'events/s',
      samples,
      targets: [{ op: '>=', value: 1_000_000 }],
    },
  ],
})
