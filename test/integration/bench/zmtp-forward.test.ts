// A forwarder made of the bench ZMTP PULL and PUSH (bench/zmtp/forward-messages.ts, as the
// bench's forwarder runs it) between real libzmq sockets, with a pool far smaller than what is
// in flight and a sink that stops reading, so that the forwarder's writes queue up behind full
// kernel buffers. Each message is one part of 700 KiB and so takes a slab of its own (a second
// part, even a small one, would share the next message's slab and keep it held): if its slot
// went back to the pool
// before its write completed (released when `send` was called, or a write callback run too
// early), or were handed out twice, the next message would overwrite bytes still waiting to be
// sent, and the sink would see them.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Pull, Push } from 'zeromq'
import {
  createZmtpPull,
  createZmtpPush,
  forwardMessages,
  SlabPool,
} from '../../../bench/zmtp/index.js'
import { pattern } from '../../harness/zmtp-bytes.js'

const KIB = 1024
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('bench ZMTP forwarder', () => {
  it('never reuses a pooled slot whose write is still queued', async () => {
    // 42 MB in all: far more than the kernel buffers between forwarder and sink hold (the
    // forwarder's send buffer grows to net.ipv4.tcp_wmem's maximum, 4 MiB here).
    const count = 60
    const payload = (i: number): Buffer => pattern(700 * KIB + i, i)

    const source = new Push({ sendHighWaterMark: count })
    cleanups.push(() => source.close())
    await source.bind('tcp://127.0.0.1:*')

    // 3 slabs of 1 MiB: one message each, at most 3 in flight through the forwarder.
    const slabs = new SlabPool({ slabBytes: 1024 * KIB, slabCount: 3 })
    const pull = createZmtpPull({ endpoint: source.lastEndpoint!, pool: slabs })
    const push = createZmtpPush()
    cleanups.push(() => pull.close())
    cleanups.push(() => push.close())
    await push.start()
    await pull.start()

    // The sink takes one message into libzmq's queue and then none until the test reads; its
    // kernel buffer is fixed at 64 KiB (no autotuning), so the forwarder's writes must wait.
    const sink = new Pull({ receiveHighWaterMark: 1, receiveBufferSize: 64 * KIB })
    cleanups.push(() => sink.close())
    sink.connect(push.endpoint)

    const forwarded = forwardMessages(pull, push, { count })
    const sent = (async () => {
      for (let i = 0; i < count; i++) await source.send(payload(i))
    })()

    // Every slab held by messages not yet written, and the PULL waiting for room.
    await vi.waitFor(() => {
      expect(pull.stats.stalls).toBeGreaterThan(0)
      expect(slabs.stats().heldSlabs).toBe(3)
    })

    for (let i = 0; i < count; i++) {
      const [body] = await sink.receive()
      expect(body!.equals(payload(i)), `payload of message ${i}`).toBe(true)
    }
    await sent
    expect(await forwarded).toBe(count)
    await vi.waitFor(() => expect(slabs.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0 }))
  })
})
