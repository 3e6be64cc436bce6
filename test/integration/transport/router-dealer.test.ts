import { createServer } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { slot } from '../../../src/protocol/data-plane.js'
import type { EventBatch } from '../../../src/protocol/data-plane-event-batch.js'
import { EventBatchBuilder } from '../../../src/protocol/data-plane-event-batch-builder.js'
import { eventNumber, ScanId, streamName, WorkerName } from '../../../src/protocol/ids.js'
import { aborted } from '../../../src/service/abort.js'
import { generateCurveKeys } from '../../../src/transport/curve-keys.js'
import {
  createIngesterRouter,
  type IngesterRouter,
  type IngesterRouterOptions,
} from '../../../src/transport/ingester-router.js'
import { isPeerUnreachable } from '../../../src/transport/peer-unreachable-error.js'
import {
  createWorkerDealer,
  type WorkerDealer,
  type WorkerDealerOptions,
} from '../../../src/transport/worker-dealer.js'
import { FrameSlabs } from '../../../src/transport/zmtp/frame-slabs.js'

const scan = ScanId.parse('scan-it')
const open: { close(o?: { force?: boolean }): Promise<void> }[] = []

afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close({ force: true })
})

async function router(options: IngesterRouterOptions = {}): Promise<IngesterRouter> {
  const r = createIngesterRouter(options)
  open.push(r)
  await r.start()
  return r
}

/**
 * How the worker end reads: zeromq.js, or our own ZMTP into reused memory (small slabs, so
 * that they fill and are reused within a test).
 */
type Mode = 'zeromq' | 'zmtp'

async function dealerWith(
  mode: Mode,
  endpoint: string,
  name: string,
  options: Partial<WorkerDealerOptions> = {},
): Promise<{ dealer: WorkerDealer; batches: EventBatch[] }> {
  const batches: EventBatch[] = []
  const d = createWorkerDealer({
    endpoint,
    worker: WorkerName.parse(name),
    onBatch: (b) => {
      batches.push(b)
    },
    ...(mode === 'zmtp'
      ? { frameMemory: new FrameSlabs({ slabBytes: 256 * 1024, smallPartBytes: 512 }) }
      : { receive: 'zeromq' as const }),
    ...options,
  })
  open.push(d)
  await d.start()
  // The mode is what the link really uses, unless the test asks for the exceptions.
  const plain = options.curve === undefined && options.receive === undefined
  if (plain && !endpoint.includes(';')) expect(d.ownReceive).toBe(mode === 'zmtp')
  return { dealer: d, batches }
}

function batchOf(first: number, count: number, frameBytes = 8): Uint8Array[] {
  const b = new EventBatchBuilder(scan)
  for (let e = first; e < first + count; e++) {
    const frame = Buffer.alloc(frameBytes, e % 256)
    b.add(eventNumber(e), slot(0), streamName('eiger'), 'STINS', [frame])
  }
  return b.finish()
}

const w = (name: string) => WorkerName.parse(name)

for (const mode of ['zeromq', 'zmtp'] as const) {
  describe(`ingester ROUTER → worker DEALER (${mode === 'zmtp' ? 'own ZMTP' : 'zeromq.js'})`, () => {
    const dealer = (
      endpoint: string,
      name: string,
      options: Partial<WorkerDealerOptions> = {},
    ): ReturnType<typeof dealerWith> => dealerWith(mode, endpoint, name, options)

    it('binds an ephemeral port and learns workers from their hello', async () => {
      const r = await router()
      expect(r.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
      expect(r.endpoint).not.toMatch(/:0$/)
      await dealer(r.endpoint, 'w1')
      await vi.waitFor(() => expect([...r.workers]).toEqual(['w1']))
    })

    it('routes batches by worker name, frames intact', async () => {
      const r = await router()
      const one = await dealer(r.endpoint, 'w1')
      const two = await dealer(r.endpoint, 'w2')
      await vi.waitFor(() => expect(r.workers.size).toBe(2))
      await r.sendTo(w('w1'), batchOf(0, 3, 1000))
      await r.sendTo(w('w2'), batchOf(3, 2, 1000))
      await r.sendTo(w('w1'), batchOf(5, 1, 10))
      await vi.waitFor(() => expect(one.batches.length + two.batches.length).toBe(3))
      const numbers = (bs: EventBatch[]) => bs.flatMap((b) => b.events.map((e) => e.eventNumber))
      expect(numbers(one.batches)).toEqual([0, 1, 2, 5])
      expect(numbers(two.batches)).toEqual([3, 4])
      const event = two.batches[0]!.events[1]!
      expect(event.streams.eiger!.frames[0]).toEqual(Buffer.alloc(1000, 4))
      expect(two.batches[0]!.scan).toBe('scan-it')
    })

    it('takes batches of many parts and megabytes, byte-exact', async () => {
      const r = await router()
      const one = await dealer(r.endpoint, 'w1')
      await vi.waitFor(() => expect(r.workers.size).toBe(1))
      // 300 events of 1 small frame (301 parts), then 6 events of 1 MiB (several slabs).
      await r.sendTo(w('w1'), batchOf(0, 300, 100))
      await r.sendTo(w('w1'), batchOf(300, 6, 1 << 20))
      await vi.waitFor(() => expect(one.batches).toHaveLength(2))
      const events = one.batches.flatMap((b) => b.events)
      expect(events.map((e) => e.eventNumber)).toEqual([...Array(306).keys()])
      for (const e of events) {
        const size = e.eventNumber < 300 ? 100 : 1 << 20
        const frame = Buffer.from(e.streams.eiger!.frames[0]!)
        expect(frame.equals(Buffer.alloc(size, e.eventNumber % 256))).toBe(true)
      }
    })

    it('reports a worker that never connected instead of dropping the message', async () => {
      const r = await router()
      const error = await r.sendTo(w('nobody'), batchOf(0, 1)).catch((e: unknown) => e)
      expect(isPeerUnreachable(error)).toBe(true)
      expect(error).toMatchObject({ code: 'UPSTREAM_CLOSED', peer: 'nobody' })
    })

    it('reports a worker that said goodbye, and one whose connection died', async () => {
      const byes: string[] = []
      const r = await router({ onBye: (b) => byes.push(b.worker) })
      const polite = await dealer(r.endpoint, 'polite')
      const crashed = await dealer(r.endpoint, 'crashed')
      await vi.waitFor(() => expect(r.workers.size).toBe(2))

      await polite.dealer.close()
      await vi.waitFor(() => expect(byes).toEqual(['polite']))
      expect(r.workers.has(w('polite'))).toBe(false)

      await crashed.dealer.close({ force: true }) // no goodbye: only the connection ends
      for (const name of ['polite', 'crashed']) {
        await vi.waitFor(async () => {
          const error = await r.sendTo(w(name), batchOf(0, 1)).catch((e: unknown) => e)
          expect(isPeerUnreachable(error)).toBe(true)
        })
      }
      expect(r.workers.size).toBe(0)
    })

    it('waits for a slow worker instead of dropping, and delivers everything in order', async () => {
      const r = await router({ sendHighWaterMark: 1, receiveHighWaterMark: 1 })
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      const received: number[] = []
      await dealer(r.endpoint, 'slow', {
        receiveHighWaterMark: 1,
        onBatch: async (batch) => {
          await gate
          for (const e of batch.events) received.push(e.eventNumber)
        },
      })
      const fast = await dealer(r.endpoint, 'fast')
      await vi.waitFor(() => expect(r.workers.size).toBe(2))

      const total = 300
      let sent = 0
      const sending = (async () => {
        // 64 KiB per message: far more than zmq's queues plus the kernel's buffers can hold.
        for (let i = 0; i < total; i++) {
          await r.sendTo(w('slow'), batchOf(i, 1, 64 << 10))
          sent++
        }
      })()
      await expect.poll(() => r.stallCount, { timeout: 10_000 }).toBeGreaterThan(0)
      expect(sent).toBeLessThan(total)
      expect(received).toEqual([])

      // A full worker holds up only its own messages.
      await r.sendTo(w('fast'), batchOf(1000, 1))
      await vi.waitFor(() => expect(fast.batches).toHaveLength(1))

      release()
      await sending
      await vi.waitFor(() => expect(received).toHaveLength(total), { timeout: 10_000 })
      expect(received).toEqual(Array.from({ length: total }, (_, i) => i))
    })

    it('says hello again when the ingester comes back on the same endpoint', async () => {
      const first = await router()
      const endpoint = first.endpoint
      const { dealer: d } = await dealer(endpoint, 'w1', {
        heartbeatIntervalMs: 100,
        heartbeatTimeoutMs: 500,
      })
      await vi.waitFor(() => expect(first.workers.has(w('w1'))).toBe(true))
      await first.close()
      // zmq releases a closed socket's port in the background: retry until it is free.
      const second = await vi.waitFor(() => router({ bind: endpoint }))
      await vi.waitFor(() => expect(second.workers.has(w('w1'))).toBe(true), { timeout: 10_000 })
      expect(d.helloCount).toBeGreaterThanOrEqual(2)
    })

    it('drops a malformed message from a worker and keeps going', async () => {
      const { Dealer } = await import('zeromq')
      const invalid: string[] = []
      const r = await router({ onInvalid: (e) => invalid.push(e.message) })
      const rogue = new Dealer({ routingId: 'rogue', linger: 0 })
      rogue.connect(r.endpoint)
      try {
        await rogue.send('not cbor at all \u00ff')
        await vi.waitFor(() => expect(invalid).toHaveLength(1))
        expect(r.invalidCount).toBe(1)
        await dealer(r.endpoint, 'good')
        await vi.waitFor(() => expect(r.workers.has(w('good'))).toBe(true))
      } finally {
        rogue.close()
      }
    })

    it('stops a worker whose batch handler is blocked, promptly', async () => {
      const r = await router()
      const { dealer: d } = await dealer(r.endpoint, 'stuck', {
        onBatch: (_batch, signal) => aborted(signal),
      })
      await vi.waitFor(() => expect(r.workers.size).toBe(1))
      await r.sendTo(w('stuck'), batchOf(0, 1))
      await d.close()
      expect(await d.closed).toBeUndefined()
    })
  })
}

describe('worker DEALER on its own ZMTP', () => {
  it('is used for tcp:// without CURVE keys, and zeromq.js otherwise', async () => {
    const r = await router()
    const memory = new FrameSlabs()
    const own = await dealerWith('zmtp', r.endpoint, 'own', { frameMemory: memory })
    expect(own.dealer.ownReceive).toBe(true)
    const told = await dealerWith('zmtp', r.endpoint, 'told', { receive: 'zeromq' })
    expect(told.dealer.ownReceive).toBe(false)
    // With CURVE keys: zeromq.js, which speaks CURVE (this router has none: no connection).
    const keyed = await dealerWith('zmtp', r.endpoint, 'keyed', { curve: generateCurveKeys() })
    expect(keyed.dealer.ownReceive).toBe(false)
    // A tcp:// form only libzmq knows (a source address before the `;`): zeromq.js serves it.
    const sourced = r.endpoint.replace('tcp://', 'tcp://127.0.0.1:0;')
    const viaZmq = await dealerWith('zmtp', sourced, 'sourced')
    expect(viaZmq.dealer.ownReceive).toBe(false)
    await vi.waitFor(() => expect(r.workers.size).toBe(3))
    await r.sendTo(w('own'), batchOf(0, 2, 100_000))
    await r.sendTo(w('sourced'), batchOf(0, 1, 10))
    await vi.waitFor(() => expect(own.batches).toHaveLength(1))
    await vi.waitFor(() => expect(viaZmq.batches).toHaveLength(1))
    // Frames of 64 KiB or more are carved from the slabs.
    expect(memory.stats().slabsAllocated).toBe(1)
  })

  it('reports a link whose bytes break ZMTP, and connects again', async () => {
    let connections = 0
    const server = createServer((socket) => {
      connections++
      socket.on('error', () => {})
      socket.write(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const invalid: string[] = []
    try {
      const { dealer: d } = await dealerWith('zmtp', `tcp://127.0.0.1:${port}`, 'w1', {
        onInvalid: (err) => invalid.push(err.message),
      })
      await vi.waitFor(() => expect(connections).toBeGreaterThanOrEqual(2))
      await vi.waitFor(() => expect(invalid.length).toBeGreaterThanOrEqual(1))
      expect(invalid[0]).toMatch(/broke ZMTP .*not a ZMTP signature.*connecting again/)
      expect(d.invalidCount).toBe(invalid.length)
      expect(d.helloCount).toBe(0)
    } finally {
      server.close()
    }
  })
})
