/**
 * The own-ZMTP roles of `case-zmtp-hop.ts` (issue 14): the forwarder and the sink of the
 * two-hop chain (`two-hop-chain.ts`) done by `bench/zmtp/` instead of zeromq.js. The simulator
 * stays zeromq.js (`two-hop-roles.ts`), so the first hop still starts at real libzmq. Same
 * messages, same counting, same probe as the zeromq.js roles; these processes never load
 * zeromq.js.
 */

import { stopRequested } from './child-messages.js'
import { gcProbe, type ProbeReading } from './gc-probe.js'
import { tell } from './two-hop-chain.js'
import { createZmtpPull, createZmtpPush, forwardMessages, SlabPool } from './zmtp/index.js'

const MIB = 1 << 20

/**
 * Slabs of 16 MiB: each holds three 4 MiB frames or fifteen 1 MiB frames with their JSON
 * parts. Allocated and touched before the first message, so they count as start-up.
 */
function pool(slabCount: number): SlabPool {
  return new SlabPool({ slabBytes: 16 * MIB, slabCount })
}

/** Bind a PUSH, report it, then pass `count` messages from `upstream` on to it. */
export async function zmtpForwarder(upstream: string, count: number): Promise<void> {
  const probe = gcProbe()
  const push = createZmtpPush()
  await push.start()
  tell({ kind: 'endpoint', endpoint: push.endpoint })
  // 64 MiB in flight at most: the forwarder reads no further ahead of what its PUSH wrote.
  const pull = createZmtpPull({ endpoint: upstream, pool: pool(4) })
  await pull.start()
  let before: ProbeReading | undefined
  await forwardMessages(pull, push, {
    count,
    onFirst: () => {
      before = probe.read()
    },
  })
  tell({ kind: 'probe', probe: probe.since(before ?? probe.read()) })
  await stopRequested()
  await pull.close()
  await push.close()
}

/** Receive `count` messages from `upstream`; report the time from the first to the last. */
export async function zmtpSink(upstream: string, count: number): Promise<void> {
  const probe = gcProbe()
  const pull = createZmtpPull({ endpoint: upstream, pool: pool(2) })
  await pull.start()
  let start = 0n
  let before: ProbeReading | undefined
  let n = 0
  while (n < count) {
    const message = await pull.receive()
    if (message === undefined) throw new Error('zmtp sink: the connection ended early')
    if (n === 0) {
      start = process.hrtime.bigint()
      before = probe.read()
    }
    if ((message.parts[1]?.length ?? 0) === 0) throw new Error('zmtp sink: empty payload')
    message.release()
    n++
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  // The first message starts the clock: `count - 1` messages were timed.
  tell({ kind: 'done', seconds, messages: n - 1, probe: probe.since(before ?? probe.read()) })
  await pull.close()
}
