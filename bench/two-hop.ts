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
 * busy time (`gc-probe.ts`), which is what a bare zmq hop costs on this machine.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Pull, Push } from 'zeromq'
import { argValue, type BenchRow, emitReport, quantile } from './bench-report.js'
import { gcProbe, type ProbeReading } from './gc-probe.js'

const MIB = 1 << 20

interface HopFigures {
  readonly seconds: number
  readonly messages: number
  readonly forwarder: ProbeReading
  readonly sink: ProbeReading
}

type ChildMessage =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'done'; seconds: number; messages: number; probe: ProbeReading }
  | { kind: 'probe'; probe: ProbeReading }

function tell(message: ChildMessage): void {
  process.send?.(message)
}

/** Keep the IPC channel (and so the process) alive until the parent says stop. */
function stopRequested(): Promise<void> {
  process.channel?.ref()
  return new Promise((resolve) =>
    process.once('message', () => {
      process.disconnect()
      resolve()
    }),
  )
}

async function simulator(count: number, bytes: number): Promise<void> {
  const push = new Push({ sendHighWaterMark: 1000, linger: 10_000 })
  await push.bind('tcp://127.0.0.1:*')
  tell({ kind: 'endpoint', endpoint: push.lastEndpoint ?? '' })
  // Sent read-only, over and over: zmq keeps a reference to parts over 128 bytes until sent.
  const payload = Buffer.alloc(bytes, 1)
  for (let i = 0; i < count; i++) {
    await push.send([JSON.stringify({ htype: 'image', frame: i, shape: [bytes / 2] }), payload])
  }
  await stopRequested()
  push.close()
}

async function forwarder(upstream: string, count: number): Promise<void> {
  const probe = gcProbe()
  const push = new Push({ sendHighWaterMark: 1000, linger: 10_000 })
  await push.bind('tcp://127.0.0.1:*')
  tell({ kind: 'endpoint', endpoint: push.lastEndpoint ?? '' })
  const pull = new Pull({ receiveHighWaterMark: 1000 })
  pull.connect(upstream)
  let before: ProbeReading | undefined
  let n = 0
  for await (const parts of pull) {
    if (before === undefined) before = probe.read()
    await push.send(parts)
    if (++n >= count) break
  }
  tell({ kind: 'probe', probe: probe.since(before ?? probe.read()) })
  await stopRequested()
  pull.close()
  push.close()
}

async function sink(upstream: string, count: number): Promise<void> {
  const probe = gcProbe()
  const pull = new Pull({ receiveHighWaterMark: 1000 })
  pull.connect(upstream)
  let start = 0n
  let before: ProbeReading | undefined
  let n = 0
  for await (const parts of pull) {
    if (n === 0) {
      start = process.hrtime.bigint()
      before = probe.read()
    }
    if ((parts[1]?.length ?? 0) === 0) throw new Error('two-hop sink: empty payload')
    if (++n >= count) break
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  // The first message starts the clock: `count - 1` messages were timed.
  tell({ kind: 'done', seconds, messages: n - 1, probe: probe.since(before ?? probe.read()) })
  pull.close()
}

function next(child: ReturnType<typeof fork>, kind: ChildMessage['kind']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage): void => {
      if (m.kind !== kind) return
      child.off('message', onMessage)
      resolve(m)
    }
    child.on('message', onMessage)
    child.once('exit', (code) => reject(new Error(`two-hop child exited early (${code})`)))
  })
}

async function runOnce(count: number, bytes: number): Promise<HopFigures> {
  const self = fileURLToPath(import.meta.url)
  const sim = fork(self, ['--role=simulator', String(count), String(bytes)])
  const simAt = await next(sim, 'endpoint')
  if (simAt.kind !== 'endpoint') throw new Error('unexpected message')
  const fwd = fork(self, ['--role=forwarder', String(count), simAt.endpoint])
  const fwdAt = await next(fwd, 'endpoint')
  if (fwdAt.kind !== 'endpoint') throw new Error('unexpected message')
  const fwdProbe = next(fwd, 'probe')
  const snk = fork(self, ['--role=sink', String(count), fwdAt.endpoint])
  const done = await next(snk, 'done')
  const forwarded = await fwdProbe
  if (done.kind !== 'done' || forwarded.kind !== 'probe') throw new Error('unexpected message')
  const exits = [sim, fwd, snk].map((c) =>
    c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve(),
  )
  sim.send('stop')
  fwd.send('stop')
  await Promise.all(exits)
  return {
    seconds: done.seconds,
    messages: done.messages,
    forwarder: forwarded.probe,
    sink: done.probe,
  }
}

/** Rows for one payload size: GB/s (the reference), CPU ms per MiB and GC share per hop. */
function rowsFor(mib: number, runs: readonly HopFigures[]): BenchRow[] {
  const bytes = mib * MIB
  const gbs = runs.map((r) => (r.messages * bytes) / r.seconds / 1e9)
  const perMiB = (pick: (r: HopFigures) => ProbeReading): number[] =>
    runs.map((r) => pick(r).cpuMs / ((r.messages * bytes) / MIB))
  const gcShare = (pick: (r: HopFigures) => ProbeReading): number[] =>
    runs.map((r) => (pick(r).gcMs / Math.max(pick(r).busyMs, 1e-3)) * 100)
  const metric = `${mib} MiB frames, bare PUSH→PULL→PUSH→PULL`
  return [
    { case: 'two-hop', metric, unit: 'GB/s', samples: gbs, id: `two-hop-${mib}` },
    {
      case: 'two-hop',
      metric: `${mib} MiB, forwarder CPU`,
      unit: 'ms/MiB',
      samples: perMiB((r) => r.forwarder),
    },
    {
      case: 'two-hop',
      metric: `${mib} MiB, sink CPU`,
      unit: 'ms/MiB',
      samples: perMiB((r) => r.sink),
    },
    {
      case: 'two-hop',
      metric: `${mib} MiB, forwarder GC of busy time`,
      unit: '%',
      samples: gcShare((r) => r.forwarder),
      extra: {
        sinkGcPercent: quantile(
          gcShare((r) => r.sink),
          0.5,
        ),
      },
    },
  ]
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
  const sizes = (argValue('sizes') ?? '1,4').split(',').map(Number)
  const rows: BenchRow[] = []
  for (const mib of sizes) {
    // About 1.2 GB per run (0.5 GB quick), after an unmeasured warm-up run.
    const count = Math.round(((quick ? 512 : 1200) * 1) / mib)
    await runOnce(Math.max(20, count / 10), mib * MIB)
    const figures: HopFigures[] = []
    for (let i = 0; i < runs; i++) figures.push(await runOnce(count, mib * MIB))
    const line = figures
      .map((f) => ((f.messages * mib * MIB) / f.seconds / 1e9).toFixed(2))
      .join(' / ')
    process.stderr.write(`two-hop ${mib} MiB: ${line} GB/s\n`)
    rows.push(...rowsFor(mib, figures))
  }
  emitReport({ rows })
}

const role = argValue('role')
const [countArg, third] = process.argv.slice(3)
if (role === 'simulator') await simulator(Number(countArg), Number(third))
else if (role === 'forwarder') await forwarder(third ?? '', Number(countArg))
else if (role === 'sink') await sink(third ?? '', Number(countArg))
else await main()
