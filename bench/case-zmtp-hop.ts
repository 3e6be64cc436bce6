/**
 * How much of a zmq hop's cost is zeromq.js's buffer handling (issue 14): the two-hop chain of
 * `two-hop.ts` (simulator PUSH → forwarder PULL/PUSH → sink PULL, `[json, payload]` messages)
 * measured twice in the same run, alternating: with zeromq.js everywhere, and with the
 * forwarder's receive and send and the sink's receive done by the bench ZMTP implementation
 * (`bench/zmtp/`: `net.Socket` with one reused read buffer, parts copied into preallocated
 * slabs, sent uncopied). The simulator is zeromq.js in both, so the first hop starts at libzmq.
 *
 *   node dist/bench/case-zmtp-hop.js [--sizes=1,4] [--runs=5] [--quick]
 *
 * Prints a `BENCH_RESULT` line (bench-report.ts): per payload size in MiB and per chain, the
 * sink's GB/s, the forwarder's and sink's CPU ms per MiB and GC share of busy time
 * (`gc-probe.ts`); the own-ZMTP rows refer to the zeromq.js rows, so the table's ratio is
 * own / zeromq.js. Each run alternates which chain goes first.
 */
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { argValue, type BenchRow, emitReport } from './bench-report.js'
import type { ProbeReading } from './gc-probe.js'
import {
  type ChainRoles,
  gigabytesPerSecond,
  type HopFigures,
  hopRows,
  runTwoHop,
} from './two-hop-chain.js'

const MIB = 1 << 20
const ZEROMQ: ChainRoles = { simulator: 'simulator', forwarder: 'forwarder', sink: 'sink' }
const OWN: ChainRoles = { simulator: 'simulator', forwarder: 'zmtp-forwarder', sink: 'zmtp-sink' }

function summary(name: string, mib: number, f: HopFigures): string {
  const perMiB = (ms: number): string => (ms / (f.messages * mib)).toFixed(2)
  const one = (p: ProbeReading): string => {
    const gcShare = ((p.gcMs / Math.max(p.busyMs, 1e-3)) * 100).toFixed(0)
    return `${perMiB(p.cpuMs)} ms/MiB (user ${perMiB(p.cpuMs - p.systemMs)}, kernel ${perMiB(p.systemMs)}, ${perMiB(p.minorFaults)} page faults/MiB; GC ${perMiB(p.gcMs)} ms/MiB, ${gcShare} % of busy, ${p.gcCount} collections)`
  }
  return `${name} ${gigabytesPerSecond(f, mib).toFixed(2)} GB/s, forwarder ${one(f.forwarder)}, sink ${one(f.sink)}`
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
  const sizes = (argValue('sizes') ?? '1,4').split(',').map(Number)
  const self = fileURLToPath(import.meta.url)
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  process.stderr.write(`zmtp-hop: load average ${load()} at the start\n`)
  const rows: BenchRow[] = []
  for (const mib of sizes) {
    // About 1.2 GB per run (0.5 GB quick), after an unmeasured warm-up run of each chain.
    const count = Math.round((quick ? 512 : 1200) / mib)
    const warmUp = Math.max(20, Math.round(count / 10))
    await runTwoHop(self, ZEROMQ, warmUp, mib * MIB)
    await runTwoHop(self, OWN, warmUp, mib * MIB)
    const zeromq: HopFigures[] = []
    const own: HopFigures[] = []
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? (['zeromq.js', 'own'] as const) : (['own', 'zeromq.js'] as const)
      for (const name of order) {
        const figures = await runTwoHop(self, name === 'own' ? OWN : ZEROMQ, count, mib * MIB)
        ;(name === 'own' ? own : zeromq).push(figures)
        process.stderr.write(`zmtp-hop ${mib} MiB run ${i + 1}: ${summary(name, mib, figures)}\n`)
      }
    }
    rows.push(
      ...hopRows(mib, zeromq, {
        case: 'zmtp-hop',
        chain: 'zeromq.js forwarder and sink',
        suffix: ', zeromq.js',
        idPrefix: 'zmtp-hop-zeromq',
        sinkGcRow: true,
      }),
      ...hopRows(mib, own, {
        case: 'zmtp-hop',
        chain: 'own ZMTP forwarder and sink',
        suffix: ', own ZMTP',
        idPrefix: 'zmtp-hop-own',
        referencePrefix: 'zmtp-hop-zeromq',
        sinkGcRow: true,
      }),
    )
  }
  process.stderr.write(`zmtp-hop: load average ${load()} at the end\n`)
  emitReport({ rows })
}

// Each role process loads only its own sockets: zeromq.js or bench/zmtp, never both.
const role = argValue('role')
const [countArg, third] = process.argv.slice(3)
if (role === 'simulator') {
  const { simulator } = await import('./two-hop-roles.js')
  await simulator(Number(countArg), Number(third))
} else if (role === 'forwarder' || role === 'sink') {
  const roles = await import('./two-hop-roles.js')
  await roles[role](third ?? '', Number(countArg))
} else if (role === 'zmtp-forwarder' || role === 'zmtp-sink') {
  const { zmtpForwarder, zmtpSink } = await import('./zmtp-hop-roles.js')
  await (role === 'zmtp-forwarder' ? zmtpForwarder : zmtpSink)(third ?? '', Number(countArg))
} else {
  await main()
}
