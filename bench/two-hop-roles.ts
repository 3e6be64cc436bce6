/**
 * The zeromq.js roles of the two-hop benchmarks (issue 14, `two-hop-chain.ts`): a simulator
 * PUSH (bound) sending STINS-like `[json, payload]` messages, a forwarder PULL → PUSH (bound)
 * sending on the parts it received, untouched, and a sink PULL. Forwarder and sink report CPU
 * and GC (`gc-probe.ts`) from their first message on.
 */
import { Pull, Push } from 'zeromq'
import { stopRequested } from './child-messages.js'
import { gcProbe, type ProbeReading } from './gc-probe.js'
import { tell } from './two-hop-chain.js'

/** Bind, report the endpoint, send `count` messages with a `bytes`-byte payload, wait for stop. */
export async function simulator(count: number, bytes: number): Promise<void> {
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

/** Bind a PUSH, report it, then pass `count` messages from `upstream` on to it. */
export async function forwarder(upstream: string, count: number): Promise<void> {
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

/** Receive `count` messages from `upstream`; report the time from the first to the last. */
export async function sink(upstream: string, count: number): Promise<void> {
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
