/**
 * The same-run reference of the large-frame cases (issue 14): the two socket hops a frame takes
 * through beamloom (device → ingester → worker), made of bare Node processes without beamloom:
 * a simulator PUSH (bound) → a forwarder PULL → PUSH (bound) → a sink PULL. Each message is a
 * STINS-like `[json, payload]` pair; the forwarder sends on the parts it received, untouched.
 *
 *   node dist/bench/two-hop.js [--sizes=1,4] [--runs=5] [--quick]
 *
 * Prints a `BENCH_RESULT` line (bench-report.ts) with, per payload size in MiB, the sink's GB/s
 * (first to last message), and the forwarder's and sink's CPU ms per MiB and GC share of their
 * busy time (`gc-probe.ts`), which is what a bare zmq hop costs on this machine. The processes
 * are `two-hop-chain.ts`, the roles `two-hop-roles.ts`.
 */
import { fileURLToPath } from 'node:url'
import { argValue, type BenchRow, emitReport } from './bench-report.js'
import { gigabytesPerSecond, type HopFigures, hopRows, runTwoHop } from './two-hop-chain.js'
import { forwarder, simulator, sink } from './two-hop-roles.js'

const MIB = 1 << 20
const ROLES = { simulator: 'simulator', forwarder: 'forwarder', sink: 'sink' }

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
  const sizes = (argValue('sizes') ?? '1,4').split(',').map(Number)
  const self = fileURLToPath(import.meta.url)
  const rows: BenchRow[] = []
  for (const mib of sizes) {
    // About 1.2 GB per run (0.5 GB quick), after an unmeasured warm-up run.
    const count = Math.round(((quick ? 512 : 1200) * 1) / mib)
    await runTwoHop(self, ROLES, Math.max(20, count / 10), mib * MIB)
    const figures: HopFigures[] = []
    for (let i = 0; i < runs; i++) figures.push(await runTwoHop(self, ROLES, count, mib * MIB))
    const line = figures.map((f) => gigabytesPerSecond(f, mib).toFixed(2)).join(' / ')
    process.stderr.write(`two-hop ${mib} MiB: ${line} GB/s\n`)
    rows.push(
      ...hopRows(mib, figures, {
        case: 'two-hop',
        chain: 'bare PUSH→PULL→PUSH→PULL',
        idPrefix: 'two-hop',
      }),
    )
  }
  emitReport({ rows })
}

const role = argValue('role')
const [countArg, third] = process.argv.slice(3)
if (role === 'simulator') await simulator(Number(countArg), Number(third))
else if (role === 'forwarder') await forwarder(third ?? '', Number(countArg))
else if (role === 'sink') await sink(third ?? '', Number(countArg))
else await main()
