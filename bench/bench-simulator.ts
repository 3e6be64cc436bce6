/**
 * The STINS source of the end-to-end benchmarks, run as its own process:
 *
 *   node dist/bench/bench-simulator.js <port> <frames> <rows> <cols> <rateHz> <stamp 0|1>
 *
 * Binds a PUSH on 127.0.0.1:<port> and, once the ingester connects, sends a STINS `header`,
 * `frames` uint16 images and a `series_end`, as fast as the receiver takes them (`rateHz` 0) or
 * at a fixed rate. Unlike `beamloom simulate stins` it sends one precomputed image over and
 * over (so the simulator's own CPU stays small on a 2-core machine) and, with `stamp` 1, puts
 * the send time into each image's JSON part as `bench_sent_ms` (an extra key, which STINS
 * allows), read back by `bench-analysis.ts` for the latency case.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Push } from 'zeromq'
import { encodeStinsEnd, encodeStinsHeader, encodeStinsImage } from '../src/internal.js'
import { monotonicMs, msUntilDue } from './clock.js'

const [port, frames, rows, cols, rateHz, stamp] = process.argv.slice(2).map(Number)
if (port === undefined || frames === undefined || rows === undefined || cols === undefined) {
  throw new Error('usage: bench-simulator <port> <frames> <rows> <cols> <rateHz> <stamp 0|1>')
}
const rate = rateHz ?? 0
const shape: [number, number] = [rows, cols]
const pixels = new Uint16Array(rows * cols)
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 1000

const push = new Push({ sendHighWaterMark: 1000, linger: 10_000 })
const connected = new Promise<void>((resolve) => push.events.on('handshake', () => resolve()))
await push.bind(`tcp://127.0.0.1:${port}`)
await connected

await push.send(encodeStinsHeader({ msgNumber: 0, filename: 'bench.h5' }))
const blob = encodeStinsImage({ msgNumber: 1, frame: 0, shape, data: pixels })[1]
if (blob === undefined) throw new Error('encodeStinsImage gave no blob')
const started = performance.now()
for (let frame = 0; frame < frames; frame++) {
  const wait = msUntilDue(started, frame, rate)
  if (wait > 0) await sleep(wait)
  const json = JSON.stringify(
    stamp === 1
      ? {
          htype: 'image',
          msg_number: frame + 1,
          frame,
          shape,
          type: 'uint16',
          compression: 'none',
          bench_sent_ms: monotonicMs(),
        }
      : {
          htype: 'image',
          msg_number: frame + 1,
          frame,
          shape,
          type: 'uint16',
          compression: 'none',
        },
  )
  // The blob is sent read-only every time: zmq keeps a reference until it is on the wire.
  await push.send([json, blob])
}
await push.send(encodeStinsEnd({ msgNumber: frames + 1 }))
push.close()
const cpu = process.cpuUsage()
process.stdout.write(`${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`)
