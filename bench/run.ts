/**
 * `npm run bench [-- --quick] [-- --case large]`: the bench suite of issues 7 and 14.
 * `--case` (or `--only=`) takes case names, comma-separated: raw, small, latency, large,
 * scaling, reducer, assignment, replay, bslz4, python, startup; and the optional cases, run only
 * when named: zmtp (zeromq.js against the bench ZMTP implementation on the two-hop chain). An
 * unknown name exits 2.
 *
 * Runs each case script in its own process, one after the other (each case runs several times
 * and reports every run), then prints one table — median, spread (min–max), the reference
 * measured in this same run and the ratio to it, the target and whether it is met — and writes
 * everything to `bench-results/<timestamp>.json`. `--quick` uses fewer runs and smaller sizes
 * (about a minute or two). End-to-end cases need Redis (`REDIS_URL`, default
 * redis://127.0.0.1:6379) and a built dist/ (`npm run bench` builds it).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import {
  type BenchRow,
  type BenchTarget,
  type CaseReport,
  formatNumber,
  median,
} from './bench-report.js'

const quick = process.argv.includes('--quick')
/** `--only=a,b`, `--case=a,b` or `--case a,b`: run only these cases (by name). */
function selectedCases(argv: readonly string[]): string[] | undefined {
  const picked: string[] = []
  argv.forEach((a, i) => {
    if (a.startsWith('--only=')) picked.push(...a.slice(7).split(','))
    else if (a.startsWith('--case=')) picked.push(...a.slice(7).split(','))
    else if (a === '--case' && argv[i + 1] !== undefined) picked.push(...argv[i + 1]!.split(','))
  })
  return picked.length === 0 ? undefined : picked
}
const only = selectedCases(process.argv.slice(2))
const here = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url))
const q = quick ? ['--quick'] : []

interface Case {
  readonly name: string
  readonly script: string
  readonly args: readonly string[]
  /** Run only when named in `--case`/`--only`, not by default. */
  readonly optional?: boolean
}

const CASES: readonly Case[] = [
  {
    name: 'raw',
    script: 'raw-zmq.js',
    args: [...q, '--json', '--only=raw-small,raw-large', `--runs=${quick ? 2 : 5}`],
  },
  { name: 'small', script: 'case-live.js', args: [...q, '--workers=2', '--cases=small'] },
  // Latency at 1 kHz: the same socket hops bare (the reference), then beamloom.
  { name: 'latency', script: 'hop-latency.js', args: [...q, '--hops=3'] },
  { name: 'latency', script: 'case-live.js', args: [...q, '--workers=2', '--cases=latency'] },
  // Large frames (issue 14): the bare two-hop reference, then beamloom, at 1 MiB and 4 MiB.
  { name: 'large', script: 'two-hop.js', args: [...q, '--sizes=1,4'] },
  { name: 'large', script: 'case-live.js', args: [...q, '--workers=2', '--cases=large'] },
  { name: 'scaling', script: 'case-live.js', args: [...q, '--workers=1', '--label=scaling'] },
  { name: 'scaling', script: 'case-live.js', args: [...q, '--workers=4', '--label=scaling'] },
  { name: 'reducer', script: 'case-reducer.js', args: q },
  { name: 'assignment', script: 'case-assignment.js', args: q },
  { name: 'replay', script: 'case-replay.js', args: q },
  { name: 'bslz4', script: 'case-bslz4.js', args: q },
  { name: 'python', script: 'case-python.js', args: q },
  { name: 'startup', script: 'case-startup.js', args: q },
  // Issue 14: how much of the large-frame cost is zeromq.js's buffer handling (bench/zmtp/).
  { name: 'zmtp', script: 'case-zmtp-hop.js', args: [...q, '--sizes=1,4'], optional: true },
]

/** Run one case script; resolves its report (rows) or an error text. */
function runCase(c: Case): Promise<CaseReport | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [here(c.script), ...c.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '))
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as CaseReport)
      } else {
        resolve(`${c.script} exited with ${code ?? signal}\n${err.slice(-3000)}`)
      }
    })
  })
}

interface Summary extends BenchRow {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly referenceMedian?: number
  readonly ratio?: number
  /** Per target, whether the median (or ratio) meets it. */
  readonly met?: boolean[]
}

function summarise(rows: readonly BenchRow[]): Summary[] {
  const byId = new Map(rows.filter((r) => r.id !== undefined).map((r) => [r.id, r]))
  return rows.map((row) => {
    const m = median(row.samples)
    const ref = row.referenceId === undefined ? undefined : byId.get(row.referenceId)
    const refMedian = ref === undefined || ref === row ? undefined : median(ref.samples)
    const ratio = refMedian === undefined ? undefined : m / refMedian
    const met = row.targets?.map((t) => meets(t, t.ofReference ? ratio : m))
    return {
      ...row,
      median: m,
      min: Math.min(...row.samples),
      max: Math.max(...row.samples),
      ...(refMedian === undefined ? {} : { referenceMedian: refMedian }),
      ...(ratio === undefined ? {} : { ratio }),
      ...(met === undefined ? {} : { met }),
    }
  })
}

function meets(t: BenchTarget, value: number | undefined): boolean {
  if (value === undefined || Number.isNaN(value)) return false
  return t.op === '>=' ? value >= t.value : value <= t.value
}

function targetText(t: BenchTarget): string {
  const v = t.ofReference ? `${(t.value * 100).toFixed(0)}% of ref` : formatNumber(t.value)
  return `${t.op === '>=' ? '≥' : '≤'} ${v}`
}

function printTable(rows: readonly Summary[]): void {
  const header = ['case', 'metric', 'unit', 'median', 'min–max', 'runs', 'ref', 'ratio', 'target']
  const cells = rows.map((r) => [
    r.case,
    r.metric,
    r.unit,
    formatNumber(r.median),
    `${formatNumber(r.min)}–${formatNumber(r.max)}`,
    String(r.samples.length),
    r.referenceMedian === undefined ? '' : formatNumber(r.referenceMedian),
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`,
    (r.targets ?? [])
      .map((t, i) => `${targetText(t)} ${r.met?.[i] ? 'met' : 'NOT met'}`)
      .join('; '),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]?.length ?? 0)))
  const line = (c: readonly string[]): string =>
    `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const c of cells) console.log(line(c))
}

function machine(): Record<string, unknown> {
  const model = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]
  return {
    cpus: cpus().length,
    cpuModel: model ?? cpus()[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

const unknown = only?.filter((name) => !CASES.some((c) => c.name === name)) ?? []
if (unknown.length > 0) {
  const known = [...new Set(CASES.map((c) => c.name))].join(', ')
  process.stderr.write(`bench: no case ${unknown.join(', ')} (cases: ${known})\n`)
  process.exit(2)
}
const started = new Date()
const loadAtStart = loadavg()
const rows: BenchRow[] = []
const failures: string[] = []
let failedCases = 0
for (const c of CASES) {
  if (only === undefined ? c.optional === true : !only.includes(c.name)) continue
  process.stderr.write(`bench: ${c.script} ${c.args.join(' ')}\n`)
  const t0 = performance.now()
  let report = await runCase(c)
  if (typeof report === 'string') {
    // Retried once on fresh processes; the failure stays in the JSON and the summary line.
    failures.push(report)
    process.stderr.write(`bench: ${c.name} failed, retrying once\n${report}\n`)
    report = await runCase(c)
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(0)
  if (typeof report === 'string') {
    failures.push(report)
    failedCases++
    process.stderr.write(`bench: ${c.name} failed again after ${seconds} s\n${report}\n`)
  } else {
    rows.push(...report.rows)
    process.stderr.write(`bench: ${c.name} done in ${seconds} s\n`)
  }
}
const summary = summarise(rows)
const totalSeconds = (Date.now() - started.getTime()) / 1000
const load = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' ')
console.log(
  `\nbeamloom bench${quick ? ' (quick)' : ''}: ${started.toISOString()}, ${totalSeconds.toFixed(0)} s, load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end (1, 5, 15 min)`,
)
printTable(summary)
mkdirSync('bench-results', { recursive: true })
const file = `bench-results/${started.toISOString().replace(/[:.]/g, '-')}.json`
writeFileSync(
  file,
  `${JSON.stringify({ started: started.toISOString(), quick, totalSeconds, machine: machine(), loadAverageAtStart: loadAtStart, loadAverage: loadavg(), rows: summary, failures }, null, 2)}\n`,
)
const failedNote =
  failures.length === 0
    ? ''
    : `; ${failures.length} failed attempt(s), ${failedCases} case(s) failed after a retry (see "failures")`
console.log(`\nwritten ${file}${failedNote}`)
process.exitCode = failedCases === 0 ? 0 : 1
