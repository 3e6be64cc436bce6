/**
 * `startup` case (issue 14): how long the `beamloom` command takes from start to exit, in
 * seconds of wall time, against a bare `node -e 0` measured in the same run:
 *
 * - `beamloom --help`;
 * - `beamloom replay` of the README's example: the TypeScript ROI worker and reducer of this
 *   checkout over the small MAX IV recording `dump_xrd.cbors` (11 events). Target ≤ 0.4 s.
 *
 * The three commands run in turn, `--runs` times each (after one unmeasured round), so that
 * each sees the same load. When `NODE_EXTRA_CA_CERTS` is set (Node then reads the certificates
 * at every start, before any JavaScript runs), the replay runs once more per round without it,
 * to show what that costs. `--baseline=<dir>` runs the same replay in another built checkout
 * (an older commit, say) in the same rounds. Prints a `BENCH_RESULT` line (bench-report.ts) and
 * a summary on standard error.
 *
 *   node dist/bench/case-startup.js [--runs=9] [--quick] [--baseline=/path/to/checkout]
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { argValue, type BenchRow, emitReport, median } from './bench-report.js'

const quick = process.argv.includes('--quick')
const runs = Number(argValue('runs') ?? (quick ? 5 : 9))
const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = `${root}bin/beamloom.js`
const recording = fileURLToPath(new URL('../shared/fixtures/dump_xrd.cbors', `file://${root}`))
if (!existsSync(recording)) throw new Error(`no recording at ${recording} (see README.md)`)

const baseline = argValue('baseline')
const replayOf = (beamloom: string): string[] => [
  beamloom,
  'replay',
  '-w',
  'workers/examples/roi-mean.ts:RoiMeanWorker',
  '-r',
  'reducer/examples/roi-mean.ts:RoiMeanReducer',
  '-f',
  recording,
  '--no-progress',
]
const replayArgs = replayOf(bin)

/** Seconds from spawning `node args` to its exit; throws when it fails. */
function wallSeconds(args: readonly string[], env = process.env, cwd = root): number {
  const t0 = performance.now()
  const run = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' })
  const seconds = (performance.now() - t0) / 1000
  if (run.status !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr}`)
  }
  return seconds
}

const withoutCaCerts = { ...process.env }
delete withoutCaCerts.NODE_EXTRA_CA_CERTS
const caCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined
interface Command {
  readonly name: string
  readonly args: readonly string[]
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}
const commands: Command[] = [
  { name: 'node', args: ['-e', '0'] },
  { name: 'help', args: [bin, '--help'] },
  { name: 'replay', args: replayArgs },
  ...(caCerts ? [{ name: 'replay-no-ca', args: replayArgs, env: withoutCaCerts }] : []),
  ...(baseline === undefined
    ? []
    : [{ name: 'baseline', args: replayOf(`${baseline}/bin/beamloom.js`), cwd: baseline }]),
]

const loadAtStart = loadavg()
const samples = new Map(commands.map((c) => [c.name, [] as number[]]))
for (let round = -1; round < runs; round++) {
  for (const c of commands) {
    const s = wallSeconds(c.args, c.env, c.cwd)
    if (round >= 0) samples.get(c.name)?.push(s)
  }
}
const load = { start: loadAtStart, end: loadavg() }
const of = (name: string): number[] => samples.get(name) ?? []

const rows: BenchRow[] = [
  {
    case: 'startup',
    metric: 'node -e 0 (reference)',
    unit: 's',
    samples: of('node'),
    id: 'node',
    extra: { load },
  },
  {
    case: 'startup',
    metric: 'beamloom --help',
    unit: 's',
    samples: of('help'),
    referenceId: 'node',
  },
  {
    case: 'startup',
    metric: 'beamloom replay, TS ROI example, dump_xrd (11 events)',
    unit: 's',
    samples: of('replay'),
    referenceId: 'node',
    targets: [{ op: '<=', value: 0.4 }],
  },
]
if (caCerts) {
  rows.push({
    case: 'startup',
    metric: 'the same replay without NODE_EXTRA_CA_CERTS',
    unit: 's',
    samples: of('replay-no-ca'),
    referenceId: 'node',
  })
}
if (baseline !== undefined) {
  rows.push({
    case: 'startup',
    metric: `the same replay in ${baseline} (baseline)`,
    unit: 's',
    samples: of('baseline'),
    referenceId: 'node',
  })
}
emitReport({ rows })

const fmt = (xs: readonly number[]): string =>
  `median ${median(xs).toFixed(3)} s (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`
process.stderr.write(
  [
    `startup, ${runs} runs each, load average ${load.start.map((x) => x.toFixed(2)).join(' ')} at the start, ${load.end.map((x) => x.toFixed(2)).join(' ')} at the end`,
    `  node -e 0 (reference)  ${fmt(of('node'))}`,
    `  beamloom --help        ${fmt(of('help'))}`,
    `  beamloom replay        ${fmt(of('replay'))}, target ≤ 0.400 s: ${median(of('replay')) <= 0.4 ? 'met' : 'NOT met'}`,
    ...(caCerts ? [`  replay, no extra CAs   ${fmt(of('replay-no-ca'))}`] : []),
    ...(baseline === undefined ? [] : [`  replay in baseline     ${fmt(of('baseline'))}`]),
    '',
  ].join('\n'),
)
