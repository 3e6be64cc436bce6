import { afterEach, describe, expect, it, vi } from 'vitest'
import { DATA_PLANE_VERSION, slot } from '../../../src/protocol/data-plane.js'
import type { ResultAck } from '../../../src/protocol/data-plane-result-ack.js'
import type { ResultBatch } from '../../../src/protocol/data-plane-result-batch.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import { eventNumber, ScanId, WorkerName } from '../../../src/protocol/ids.js'
import {
  createResultReceiver,
  type ResultReceiver,
  type ResultReceiverOptions,
} from '../../../src/transport/result-receiver.js'
import {
  createResultSender,
  type ResultSender,
  type ResultSenderOptions,
} from '../../../src/transport/result-sender.js'
import { freePort } from '../../harness/processes.js'

const scan = ScanId.parse('scan-it')
const open: { close(o?: { force?: boolean }): Promise<void> }[] = []

afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close({ force: true })
})

async function receiver(
  options: Partial<ResultReceiverOptions> = {},
): Promise<{ receiver: ResultReceiver; batches: ResultBatch[] }> {
  const batches: ResultBatch[] = []
  const r = createResultReceiver({ onBatch: (b) => void batches.push(b), ...options })
  open.push(r)
  await r.start()
  return { receiver: r, batches }
}

async function sender(
  endpoint: string,
  options: Partial<ResultSenderOptions> = {},
): Promise<ResultSender & { acks: ResultAck[] }> {
  const acks: ResultAck[] = []
  const s = createResultSender({
    endpoint,
    routingId: `w-${Math.random().toString(36).slice(2)}`,
    onAck: (a) => acks.push(a),
    ...options,
  })
  open.push(s)
  await s.start()
  return Object.assign(s, { acks })
}

let seq = 0
function results(worker: string, first: number, count: number, payloadBytes = 16): Uint8Array[] {
  const b = new ResultBatchBuilder(scan, WorkerName.parse(worker), `session-${worker}`)
  for (let e = first; e < first + count; e++) {
    if (e % 2 === 0)
      b.result(eventNumber(e), slot(e % 3), 'hash', Buffer.alloc(payloadBytes, e % 256))
    else b.done(eventNumber(e), slot(e % 3), 'hash')
  }
  return b.finish(seq++, 0)
}

describe('worker DEALER ⇄ reducer ROUTER', () => {
  it('delivers result batches from several workers, each in order, with session and number', async () => {
    const { receiver: r, batches } = await receiver()
    expect(r.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    const a = await sender(r.endpoint)
    const b = await sender(r.endpoint)
    for (let i = 0; i < 10; i++) {
      await a.send(results('a', i * 4, 4))
      await b.send(results('b', 100 + i * 4, 4))
    }
    await vi.waitFor(() => expect(batches).toHaveLength(20))
    const from = (worker: string) =>
      batches.filter((x) => x.worker === worker).flatMap((x) => x.items.map((i) => i.eventNumber))
    expect(from('a')).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(from('b')).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i))
    const first = batches.find((x) => x.worker === 'a')!
    expect(first.session).toBe('session-a')
    expect(first.items[0]).toMatchObject({ outcome: 'result', slot: 0, parametersHash: 'hash' })
    expect(first.items[1]).toMatchObject({ outcome: 'done', slot: 1 })
  })

  it('carries acknowledgements back to the connection a batch came from', async () => {
    const r: ResultReceiver = (
      await receiver({
        onBatch: (batch, from) =>
          r.ack(from, {
            v: DATA_PLANE_VERSION,
            kind: 'ack',
            scan,
            session: batch.session,
            reduced: batch.seq,
            durable: batch.seq - 1,
          }),
      })
    ).receiver
    const a = await sender(r.endpoint)
    const b = await sender(r.endpoint)
    await a.send(results('a', 0, 2))
    await b.send(results('b', 0, 2))
    await vi.waitFor(() => expect(a.acks).toHaveLength(1))
    await vi.waitFor(() => expect(b.acks).toHaveLength(1))
    expect(a.acks[0]).toMatchObject({ session: 'session-a', durable: a.acks[0]!.reduced - 1 })
    expect(b.acks[0]).toMatchObject({ session: 'session-b' })
  })

  it('queues results while the reducer is not there yet, and says when it connects', async () => {
    // A port nobody listens on (a closing socket could still take the first connection).
    const endpoint = `tcp://127.0.0.1:${await freePort()}`
    let connected = 0
    const early = await sender(endpoint, { onConnected: () => connected++ })
    await early.send(results('w', 0, 2))
    expect(connected).toBe(0)
    const { batches } = await receiver({ bind: endpoint })
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 10_000 })
    // zeromq.js reports the connection from its monitor, which runs apart from the data: the
    // report may come after the batch is through, but it comes, once.
    await vi.waitFor(() => expect(connected).toBe(1))
    await early.send(results('w', 1, 2))
    await vi.waitFor(() => expect(batches).toHaveLength(2))
    expect(connected).toBe(1)
  })

  it('reports a new connection when the reducer comes back at the same address', async () => {
    const first = await receiver()
    const endpoint = first.receiver.endpoint
    let connected = 0
    const s = await sender(endpoint, { onConnected: () => connected++ })
    await s.send(results('w', 0, 1))
    await vi.waitFor(() => expect(first.batches).toHaveLength(1))
    expect(connected).toBe(1)
    await first.receiver.close()
    const second = await vi.waitFor(() => receiver({ bind: endpoint }), { timeout: 10_000 })
    await vi.waitFor(() => expect(connected).toBe(2), { timeout: 15_000 })
    await s.send(results('w', 1, 1))
    await vi.waitFor(() => expect(second.batches).toHaveLength(1), { timeout: 10_000 })
  })

  it('makes the worker wait for a slow reducer, losing nothing, in order', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const received: number[] = []
    const { receiver: r } = await receiver({
      receiveHighWaterMark: 1,
      onBatch: async (batch) => {
        await gate
        for (const i of batch.items) received.push(i.eventNumber)
      },
    })
    const push = await sender(r.endpoint, { sendHighWaterMark: 1 })
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

  it('keeps the connection of a reducer that reads nothing for longer than any heartbeat', async () => {
    // A busy reducer stops reading; libzmq then stops reading its socket too. Nothing may cut
    // the link for that: the sender waits, and after the reducer resumes every batch arrives
    // over the one connection.
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const received: number[] = []
    const { receiver: r } = await receiver({
      receiveHighWaterMark: 2,
      onBatch: async (batch) => {
        await gate
        for (const i of batch.items) received.push(i.eventNumber)
      },
    })
    const push = await sender(r.endpoint, { sendHighWaterMark: 2 })
    const total = 200
    const all = Array.from({ length: total }, (_, i) => push.send(results('w', i, 1, 256 << 10)))
    await expect.poll(() => push.stallCount, { timeout: 10_000 }).toBeGreaterThan(0)
    // Blocked well past the 5 s heartbeat timeout that used to cut such links.
    await new Promise((resolve) => setTimeout(resolve, 7000))
    release()
    await Promise.all(all)
    await vi.waitFor(() => expect(received).toHaveLength(total), { timeout: 20_000 })
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i))
    expect(push.connections).toBe(1)
  }, 40_000)

  it('drops a malformed batch and keeps going', async () => {
    const invalid: string[] = []
    const { receiver: r, batches } = await receiver({ onInvalid: (e) => invalid.push(e.message) })
    const push = await sender(r.endpoint)
    await push.send([Buffer.from([0xa0])])
    await push.send(results('w', 0, 1))
    await vi.waitFor(() => expect(batches).toHaveLength(1))
    expect(invalid).toEqual([expect.stringMatching(/^result batch: invalid header/)])
    expect(r.invalidCount).toBe(1)
  })

  it('rejects a send that is still waiting when the sender closes, or when its signal aborts', async () => {
    const { receiver: r } = await receiver({
      receiveHighWaterMark: 1,
      onBatch: () => new Promise(() => {}),
    })
    const push = await sender(r.endpoint, { sendHighWaterMark: 1 })
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
