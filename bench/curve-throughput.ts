// What CURVE costs on the data plane (docs/security.md): event batches of one frame through an
// ingester ROUTER to a worker DEALER on loopback, plain and with a CURVE key, for 1 MiB and
// 1 KiB frames. Run: npm run build && node dist/bench/curve-throughput.js
import {
  createIngesterRouter,
  createWorkerDealer,
  EventBatchBuilder,
  eventNumber,
  generateCurveKeys,
  ScanId,
  slot,
  streamName,
  WorkerName,
} from '../src/internal.js'

const scan = ScanId.parse('bench')
const worker = WorkerName.parse('w')

async function run(curve: boolean, frameBytes: number, count: number): Promise<void> {
  const keys = curve ? generateCurveKeys() : undefined
  let hello = false
  const router = createIngesterRouter({
    curve: keys,
    onHello: () => {
      hello = true
    },
  })
  await router.start()
  let got = 0
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    done = resolve
  })
  const dealer = createWorkerDealer({
    endpoint: router.endpoint,
    worker,
    curve: keys,
    onBatch: () => {
      got += 1
      if (got >= count) done()
    },
  })
  await dealer.start()
  while (!hello) await new Promise((r) => setTimeout(r, 10))
  const frame = Buffer.alloc(frameBytes, 7)
  const t0 = performance.now()
  for (let e = 0; e < count; e++) {
    const b = new EventBatchBuilder(scan)
    b.add(eventNumber(e), slot(0), streamName('cam'), 'STINS', [frame])
    await router.sendTo(worker, b.finish())
  }
  await finished
  const s = (performance.now() - t0) / 1000
  const mbs = ((count * frameBytes) / s / 1e6).toFixed(0)
  console.log(
    `${curve ? 'CURVE' : 'plain'} ${frameBytes} B frames: ${(count / s).toFixed(0)} msg/s, ${mbs} MB/s`,
  )
  await dealer.close({ force: true })
  await router.close({ force: true })
}

for (const [bytes, n] of [
  [1 << 20, 1_000],
  [1_024, 20_000],
] as const) {
  await run(false, bytes, n)
  await run(true, bytes, n)
}
