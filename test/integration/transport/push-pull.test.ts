import { afterEach, describe, expect, it, vi } from 'vitest'
import { slot } from '../../../src/protocol/data-plane.js'
import type { ResultBatch } from '../../../src/protocol/data-plane-result-batch.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import { eventNumber, ScanId, WorkerName } from '../../../src/protocol/ids.js'
import {
  createResultPuller,
  type ResultPuller,
  type ResultPullerOptions,
} from '../../../src/transport/result-puller.js'
import {
  createResultPusher,
  type ResultPusher,
  type ResultPusherOptions,
} from '../../../src/transport/result-pusher.js'

const scan = ScanId.parse('scan-it')
const open: { close(o?: { force?: boolean }): Promise<void> }[] = []

afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close({ force: true })
})

async function puller(
  options: Partial<ResultPullerOptions> = {},
): Promise<{ puller: ResultPuller; batches: ResultBatch[] }> {
  const batches: ResultBatch[] = []
  const p = createResultPuller({ onBatch: (b) => void batches.push(b), ...options })
  open.push(p)
  await p.start()
  return { puller: p, batches }
}

async function pusher(
  endpoint: string,
  options: Partial<ResultPusherOptions> = {},
): Promise<ResultPusher> {
  const p = createResultPusher({ endpoint, ...options })
  open.push(p)
  await p.start()
  return p
}

function results(worker: string, first: number, count: number, payloadBytes = 16): Uint8Array[] {
  const b = new ResultBatchBuilder(scan, WorkerName.parse(worker))
  for (let e = first; e < first + count; e++) {
    if (e % 2 === 0)
      b.result(eventNumber(e), slot(e % 3), 'hash', Buffer.alloc(payloadBytes, e % 256))
    else b.done(eventNumber(e), slot(e % 3), 'hash')
  }
  return b.finish()
}

describe('worker PUSH → reducer PULL', () => {
  it('delivers result batches from several workers, each in order', async () => {
    const { puller: p, batches } = await puller()
    expect(p.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const a = await pusher(p.endpoint)
    const b = await pusher(p.endpoint)
    for (let i = 0; i < 10; i++) {
      await a.send(results('a', i * 4, 4))
      await b.send(results('b', 100 + i * 4, 4))
    }
    await vi.waitFor(() => expect(batches).toHaveLength(20))
    const from = (worker: string) =>
      batches.filter((x) => x.worker === worker).flatMap((x) => x.items.map((i) => i.eventNumber))
    expect(from('a')).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(from('b')).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i))
    const first = batches.find((x) => x.worker === 'a')!.items
    expect(first[0]).toMatchObject({ outcome: 'result', slot: 0, parametersHash: 'hash' })
    expect(first[1]).toMatchObject({ outcome: 'done', slot: 1 })
  })

  it('queues results while the reducer is not there yet', async () => {
    const { puller: probe } = await puller()
    const endpoint = probe.endpoint
    await probe.close()
    const early = await pusher(endpoint)
    await early.send(results('w', 0, 2))
    // zmq releases a closed socket's port in the background: retry until it is free.
    // Under load this can take longer than waitFor's default second.
    const { batches } = await vi.waitFor(() => puller({ bind: endpoint }), { timeout: 10_000 })
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 10_000 })
  })

  it('makes the worker wait for a slow reducer, losing nothing, in order', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const received: number[] = []
    const { puller: p } = await puller({
      receiveHighWaterMark: 1,
      onBatch: async (batch) => {
        await gate
        for (const i of batch.items) received.push(i.eventNumber)
      },
    })
    const push = await pusher(p.endpoint, { sendHighWaterMark: 1 })
    const total = 300
    let sent = 0
    // Send without waiting for each: calls queue up behind the blocked one, in call order.
    const all = Array.from({ length: total }, (_, i) =>
      push.send(results('w', i, 1, 64 << 10)).then(() => void sent++),
    )
    await expect.poll(() => push.stallCount, { timeout: 10_000 }).toBeGreaterThan(0)
    expect(sent).toBeLessThan(total)
    expect(received).toEqual([])
    release()
    await Promise.all(all)
    await vi.waitFor(() => expect(received).toHaveLength(total), { timeout: 10_000 })
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i))
  })

  it('drops a malformed batch and keeps going', async () => {
    const invalid: string[] = []
    const { puller: p, batches } = await puller({ onInvalid: (e) => invalid.push(e.message) })
    const push = await pusher(p.endpoint)
    await push.send([Buffer.from([0xa0])])
    await push.send(results('w', 0, 1))
    await vi.waitFor(() => expect(batches).toHaveLength(1))
    expect(invalid).toEqual([expect.stringMatching(/^result batch: invalid header/)])
    expect(p.invalidCount).toBe(1)
  })

  it('rejects a send that is still waiting when the pusher closes, or when its signal aborts', async () => {
    const { puller: p } = await puller({
      receiveHighWaterMark: 1,
      onBatch: () => new Promise(() => {}),
    })
    const push = await pusher(p.endpoint, { sendHighWaterMark: 1 })
    const ac = new AbortController()
    const sends = Array.from({ length: 300 }, () =>
      push.send(results('w', 0, 1, 64 << 10), ac.signal),
    )
    await expect.poll(() => push.stallCount, { timeout: 10_000 }).toBeGreaterThan(0)
    ac.abort(new Error('caller gave up'))
    const outcomes = await Promise.allSettled(sends)
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []))
    expect(reasons.length).toBeGreaterThan(0)
    expect(new Set(reasons)).toEqual(new Set(['Error: caller gave up']))
    await push.close({ force: true })
    await expect(push.send(results('w', 0, 1))).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })
})
