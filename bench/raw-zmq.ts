/**
 * Reference measurement of the data plane (issue 4): ZeroMQ between two processes on this
 * machine, raw and through beamloom's wire codecs and socket wrappers.
 *
 * Scenarios (each run 3 times in fresh processes; the median is printed):
 * - raw-small: zmq PUSH → PULL, 64-byte messages — messages/s.
 * - raw-large: zmq PUSH → PULL, 4 MiB frames — GB/s.
 * - events: ingester ROUTER → worker DEALER through `EventBatchBuilder` / `decodeEventBatch`,
 *   one 64-byte frame per event, 64 events per message — events/s.
 * - results: worker PUSH → reducer PULL through `ResultBatchBuilder` / `decodeResultBatch`,
 *   64-byte payloads, 64 per message — results/s.
 * - codec-cpu: encode + decode of event batches in one process, no sockets — µs per event.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/raw-zmq.js [--quick] [--only=<a,b>]
 *   [--runs=3] [--json] (`--json`: print a `BENCH_RESULT` line for `run.ts` instead of codec-cpu)
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Pull, Push } from 'zeromq'
import {
  createIngesterRouter,
  createResultReceiver,
  createResultSender,
  createWorkerDealer,
  decodeEventBatch,
  EventBatchBuilder,
  eventNumber,
  ResultBatchBuilder,
  ScanId,
  slot,
  streamName,
  WorkerName,
} from '../src/internal.js'
import { type BenchRow, emitReport } from './bench-report.js'
import { messagesOf, stopRequested } from './child-messages.js'

type Scenario = 'raw-small' | 'raw-large' | 'events' | 'results'
interface Spec {
  readonly scenario: Scenario
  /** Messages for raw scenarios, events or results otherwise. */
  readonly count: number
  readonly bytes: number
  readonly batch: number
}
/** What the receiving child reports: items counted from its first message to its last. */
interface Measured {
  readonly items: number
  readonly bytes: number
  readonly seconds: number
}
type ChildMessage = { kind: 'endpoint'; endpoint: string } | ({ kind: 'done' } & Measured)

const next = messagesOf<ChildMessage>()

const SCAN = ScanId.parse('bench')
const WORKER = WorkerName.parse('bench-worker')
const EIGER = streamName('eiger')

/** Counts items between the first and the last message, so connection set-up is not timed. */
class Meter {
  #start = 0n
  #itemsAtStart = 0
  #items = 0
  #bytes = 0
  add(items: number, bytes: number): void {
    if (this.#start === 0n) {
      this.#start = process.hrtime.bigint()
      this.#itemsAtStart = items
    }
    this.#items += items
    this.#bytes += bytes
  }
  get items(): number {
    return this.#items
  }
  result(): Measured {
    const seconds = Number(process.hrtime.bigint() - this.#start) / 1e9
    const items = this.#items - this.#itemsAtStart
    return { items, bytes: (this.#bytes * items) / Math.max(this.#items, 1), seconds }
  }
}

function tell(message: ChildMessage): void {
  process.send?.(message)
}

/** The binding side: PULL for raw and results, the ingester's ROUTER for events. */
async function binder(spec: Spec): Promise<void> {
  const meter = new Meter()
  let finished: () => void = () => {}
  const done = new Promise<void>((resolve) => (finished = resolve))
  if (spec.scenario === 'events') {
    let greeted: () => void = () => {}
    const hello = new Promise<void>((resolve) => (greeted = resolve))
    const router = createIngesterRouter({ sendHighWaterMark: 1000, onHello: () => greeted() })
    await router.start()
    tell({ kind: 'endpoint', endpoint: router.endpoint })
    await hello
    const builder = new EventBatchBuilder(SCAN)
    for (let e = 0; e < spec.count; e++) {
      builder.add(eventNumber(e), slot(0), EIGER, 'STINS', [Buffer.allocUnsafe(spec.bytes)])
      if (builder.eventCount === spec.batch || e === spec.count - 1) {
        await router.sendTo(WORKER, builder.finish())
      }
    }
    await stopRequested()
    await router.close()
    return
  }
  const onDone = (): void => {
    tell({ kind: 'done', ...meter.result() })
    finished()
  }
  if (spec.scenario === 'results') {
    const puller = createResultReceiver({
      receiveHighWaterMark: 1000,
      onBatch: (batch) => {
        let bytes = 0
        for (const item of batch.items) if (item.outcome === 'result') bytes += item.payload.length
        meter.add(batch.items.length, bytes)
        if (meter.items >= spec.count) onDone()
      },
    })
    await puller.start()
    tell({ kind: 'endpoint', endpoint: puller.endpoint })
    await done
    await puller.close()
    return
  }
  const pull = new Pull({ linger: 0 })
  await pull.bind('tcp://127.0.0.1:*')
  tell({ kind: 'endpoint', endpoint: pull.lastEndpoint ?? '' })
  for await (const [frame] of pull) {
    meter.add(1, frame?.length ?? 0)
    if (meter.items >= spec.count) break
  }
  onDone()
  pull.close()
}

/** The connecting side: PUSH for raw and results, the worker's DEALER for events. */
async function connector(spec: Spec, endpoint: string): Promise<void> {
  if (spec.scenario === 'events') {
    const meter = new Meter()
    let finished: () => void = () => {}
    const done = new Promise<void>((resolve) => (finished = resolve))
    const dealer = createWorkerDealer({
      endpoint,
      worker: WORKER,
      receiveHighWaterMark: 1000,
      onBatch: (batch) => {
        let bytes = 0
        for (const event of batch.events) bytes += event.streams.eiger?.frames[0]?.length ?? 0
        meter.add(batch.events.length, bytes)
        if (meter.items >= spec.count) finished()
      },
    })
    await dealer.start()
    await done
    tell({ kind: 'done', ...meter.result() })
    await dealer.close()
    return
  }
  if (spec.scenario === 'results') {
    const pusher = createResultSender({
      endpoint,
      routingId: 'bench',
      sendHighWaterMark: 1000,
      onAck: () => {},
    })
    await pusher.start()
    const builder = new ResultBatchBuilder(SCAN, WORKER, 'bench')
    let seq = 0
    for (let e = 0; e < spec.count; e++) {
      builder.result(eventNumber(e), slot(0), 'p0', Buffer.allocUnsafe(spec.bytes))
      if (builder.itemCount === spec.batch || e === spec.count - 1)
        await pusher.send(builder.finish(seq++))
    }
    await stopRequested()
    await pusher.close()
    return
  }
  const push = new Push({ linger: 1000 })
  push.connect(endpoint)
  // Sent read-only, over and over: zmq keeps a reference to buffers over 128 bytes until sent.
  const frame = Buffer.alloc(spec.bytes, 1)
  for (let i = 0; i < spec.count; i++) await push.send(frame)
  await stopRequested()
  push.close()
}

/** One run in two fresh processes; returns what the receiving process measured. */
async function runOnce(spec: Spec): Promise<Measured> {
  const self = fileURLToPath(import.meta.url)
  const bindSide = fork(self, ['--role=binder', JSON.stringify(spec)])
  const ready = await next(bindSide, 'endpoint')
  const connectSide = fork(self, ['--role=connector', JSON.stringify(spec), ready.endpoint])
  const receiving = spec.scenario === 'events' ? connectSide : bindSide
  const done = await next(receiving, 'done')
  const exits = [bindSide, connectSide].map((c) =>
    c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve(),
  )
  const sending = spec.scenario === 'events' ? bindSide : connectSide
  sending.send('stop')
  await Promise.all(exits)
  return { items: done.items, bytes: done.bytes, seconds: done.seconds }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** Encode and decode event batches in this process: the codec's CPU cost per event. */
function codecCpu(events: number, batch: number): number {
  const builder = new EventBatchBuilder(SCAN)
  const frames = Array.from({ length: batch }, () => Buffer.alloc(64, 1))
  const start = process.hrtime.bigint()
  let seen = 0
  for (let e = 0; e < events; e += batch) {
    for (let i = 0; i < batch; i++)
      builder.add(eventNumber(e + i), slot(0), EIGER, 'STINS', [frames[i]!])
    seen += decodeEventBatch(builder.finish()).events.length
  }
  const micros = Number(process.hrtime.bigint() - start) / 1e3
  return micros / seen
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const k = quick ? 0.25 : 1
  const specs: Spec[] = [
    { scenario: 'raw-small', count: 400_000 * k, bytes: 64, batch: 1 },
    { scenario: 'raw-large', count: 400 * k, bytes: 4 << 20, batch: 1 },
    { scenario: 'events', count: 1_000_000 * k, bytes: 64, batch: 64 },
    { scenario: 'results', count: 1_000_000 * k, bytes: 64, batch: 64 },
  ]
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',')
  const runCount = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3)
  const json = process.argv.includes('--json')
  const rows: BenchRow[] = []
  console.log(
    `data plane, 2 processes on 127.0.0.1, median of ${runCount} runs${quick ? ' (quick)' : ''}`,
  )
  console.log('scenario    items/run   items/s      MB/s     GB/s   runs (items/s)')
  for (const spec of specs) {
    if (only !== undefined && !only.includes(spec.scenario)) continue
    const runs: Measured[] = []
    for (let i = 0; i < runCount; i++) runs.push(await runOnce(spec))
    const rates = runs.map((r) => r.items / r.seconds)
    const byteRates = runs.map((r) => r.bytes / r.seconds)
    const line = [
      spec.scenario.padEnd(10),
      String(spec.count).padStart(10),
      median(rates).toFixed(0).padStart(10),
      (median(byteRates) / 1e6).toFixed(1).padStart(9),
      (median(byteRates) / 1e9).toFixed(2).padStart(8),
      `  ${rates.map((r) => r.toFixed(0)).join(' / ')}`,
    ]
    console.log(line.join(' '))
    if (spec.scenario === 'raw-small') {
      rows.push({
        case: 'raw',
        metric: 'zmq PUSH→PULL, 64 B messages',
        unit: 'messages/s',
        samples: rates,
        id: 'raw-small',
      })
    } else if (spec.scenario === 'raw-large') {
      rows.push({
        case: 'raw',
        metric: 'zmq PUSH→PULL, 4 MiB frames',
        unit: 'GB/s',
        samples: byteRates.map((b) => b / 1e9),
        id: 'raw-large',
      })
    }
  }
  if (json) {
    emitReport({ rows })
    return
  }
  const cpu = [0, 1, 2].map(() => codecCpu(quick ? 200_000 : 1_000_000, 64))
  console.log(`codec-cpu  encode+decode, 64 events/batch: ${median(cpu).toFixed(2)} µs per event`)
}

const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length)
const specArg = process.argv[3]
if (role === 'binder' && specArg) await binder(JSON.parse(specArg) as Spec)
else if (role === 'connector' && specArg)
  await connector(JSON.parse(specArg) as Spec, process.argv[4] ?? '')
else await main()
