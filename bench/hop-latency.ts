/**
 * The same-run reference of the latency case (issue 14): the socket hops an event takes through
 * beamloom (device → ingester → worker → reducer) made of bare Node processes without beamloom,
 * a source PUSH (bound) → forwarders PULL/PUSH → a sink PULL. The source sends the latency
 * case's messages (a STINS-like JSON part with the send time, and a 64×64 uint16 image) at the
 * same rate, paced the same way as `bench-simulator.ts`; the sink takes each message's latency
 * from the send time (`process.hrtime`, one monotonic clock for all processes of the machine).
 *
 *   node dist/bench/hop-latency.js [--hops=3] [--runs=5] [--quick]
 *
 * Prints a `BENCH_RESULT` line (bench-report.ts) with p50 and p99 per run, as the ids
 * `latency-ref-p50` and `latency-ref-p99` that the latency rows of `case-live.ts` refer to:
 * what the machine itself gives the same hops at the same time.
 */
import { fork } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Pull, Push } from 'zeromq'
import { argValue, type BenchRow, emitReport, quantile } from './bench-report.js'
import { messagesOf, stopRequested } from './child-messages.js'
import { monotonicMs, msUntilDue } from './clock.js'

/** The latency case's rate and image (`case-live.ts`: 1 kHz, 64×64 uint16). */
const RATE_HZ = 1000
const IMAGE_BYTES = 64 * 64 * 2

type ChildMessage =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'ready' }
  | { kind: 'done'; latenciesMs: number[] }

const next = messagesOf<ChildMessage>()

function tell(message: ChildMessage): void {
  process.send?.(message)
}

/** For the source: resolves when the bench script says go (its first message). */
function goSaid(): Promise<void> {
  process.channel?.ref()
  return new Promise((resolve) => process.once('message', () => resolve()))
}

/** Connect `pull` to `upstream`; resolves once the connection is up. */
async function connected(pull: Pull, upstream: string): Promise<void> {
  const up = new Promise<void>((resolve) => pull.events.on('handshake', () => resolve()))
  pull.connect(upstream)
  await up
}

async function source(count: number): Promise<void> {
  const push = new Push({ sendHighWaterMark: 1000, linger: 10_000 })
  const go = goSaid()
  await push.bind('tcp://127.0.0.1:*')
  tell({ kind: 'endpoint', endpoint: push.lastEndpoint ?? '' })
  // The parent says go once every hop is connected, so no message waits for a connection.
  await go
  // Sent read-only, over and over: zmq keeps a reference to parts over 128 bytes until sent.
  const image = Buffer.alloc(IMAGE_BYTES, 7)
  const started = performance.now()
  for (let frame = 0; frame < count; frame++) {
    const wait = msUntilDue(started, frame, RATE_HZ)
    if (wait > 0) await sleep(wait)
    const json = { htype: 'image', frame, shape: [64, 64], type: 'uint16', sent_ms: monotonicMs() }
    await push.send([JSON.stringify(json), image])
  }
  await stopRequested()
  push.close()
}

async function forwarder(upstream: string, count: number): Promise<void> {
  const stop = stopRequested()
  const pull = new Pull({ receiveHighWaterMark: 1000 })
  await connected(pull, upstream)
  const push = new Push({ sendHighWaterMark: 1000, linger: 10_000 })
  await push.bind('tcp://127.0.0.1:*')
  tell({ kind: 'endpoint', endpoint: push.lastEndpoint ?? '' })
  let n = 0
  for await (const parts of pull) {
    await push.send(parts)
    if (++n >= count) break
  }
  await stop
  pull.close()
  push.close()
}

async function sink(upstream: string, count: number): Promise<void> {
  const pull = new Pull({ receiveHighWaterMark: 1000 })
  await connected(pull, upstream)
  tell({ kind: 'ready' })
  const latenciesMs: number[] = []
  for await (const parts of pull) {
    const now = monotonicMs()
    const header = JSON.parse(parts[0]?.toString() ?? '{}') as { sent_ms?: number }
    if (header.sent_ms === undefined) throw new Error('hop-latency sink: no send time')
    latenciesMs.push(now - header.sent_ms)
    if (latenciesMs.length >= count) break
  }
  tell({ kind: 'done', latenciesMs })
  pull.close()
}

/** One chain of `hops` socket hops carrying `count` messages; resolves every latency. */
async function runOnce(hops: number, count: number): Promise<number[]> {
  const self = fileURLToPath(import.meta.url)
  const children = [fork(self, ['--role=source', String(count)])]
  let endpoint = await next(children[0]!, 'endpoint')
  for (let i = 1; i < hops; i++) {
    const fwd = fork(self, ['--role=forwarder', String(count), endpoint.endpoint])
    children.push(fwd)
    endpoint = await next(fwd, 'endpoint')
  }
  const snk = fork(self, ['--role=sink', String(count), endpoint.endpoint])
  const finished = next(snk, 'done')
  await next(snk, 'ready')
  children[0]!.send('go')
  const done = await finished
  const exits = [...children, snk].map((c) =>
    c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve(),
  )
  for (const c of children) c.send('stop')
  await Promise.all(exits)
  return done.latenciesMs
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const runs = Number(argValue('runs') ?? (quick ? 2 : 5))
  const hops = Number(argValue('hops') ?? 3)
  if (!Number.isInteger(hops) || hops < 1) throw new Error('--hops must be a positive integer')
  // As many messages as a latency scan of case-live.ts, after an unmeasured warm-up.
  const count = quick ? 2_000 : 5_000
  await runOnce(hops, 500)
  const figures: number[][] = []
  for (let i = 0; i < runs; i++) figures.push(await runOnce(hops, count))
  const metric = (q: string): string => `bare zmq chain, ${hops} hops, 1 kHz, ${q}`
  const rows: BenchRow[] = [
    {
      case: 'latency',
      metric: metric('p50'),
      unit: 'ms',
      samples: figures.map((f) => quantile(f, 0.5)),
      id: 'latency-ref-p50',
      extra: { frames: count, hops, pooledMax: quantile(figures.flat(), 1) },
    },
    {
      case: 'latency',
      metric: metric('p99'),
      unit: 'ms',
      samples: figures.map((f) => quantile(f, 0.99)),
      id: 'latency-ref-p99',
    },
  ]
  process.stderr.write(
    `hop-latency ${hops} hops: p50 ${rows[0]!.samples.map((s) => s.toFixed(2)).join(' / ')} ms, p99 ${rows[1]!.samples.map((s) => s.toFixed(2)).join(' / ')} ms\n`,
  )
  emitReport({ rows })
}

const role = argValue('role')
const [countArg, upstream] = process.argv.slice(3)
if (role === 'source') await source(Number(countArg))
else if (role === 'forwarder') await forwarder(upstream ?? '', Number(countArg))
else if (role === 'sink') await sink(upstream ?? '', Number(countArg))
else await main()
