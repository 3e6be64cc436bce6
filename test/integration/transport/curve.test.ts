import { afterEach, describe, expect, it, vi } from 'vitest'
import { Dealer, Router } from 'zeromq'
import { slot } from '../../../src/protocol/data-plane.js'
import type { EventBatch } from '../../../src/protocol/data-plane-event-batch.js'
import { EventBatchBuilder } from '../../../src/protocol/data-plane-event-batch-builder.js'
import type { ResultBatch } from '../../../src/protocol/data-plane-result-batch.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import { eventNumber, ScanId, streamName, WorkerName } from '../../../src/protocol/ids.js'
import { type CurveKeys, generateCurveKeys } from '../../../src/transport/curve-keys.js'
import { createIngesterRouter } from '../../../src/transport/ingester-router.js'
import { createResultReceiver } from '../../../src/transport/result-receiver.js'
import { createResultSender } from '../../../src/transport/result-sender.js'
import { createWorkerDealer } from '../../../src/transport/worker-dealer.js'
import { acquireZapHandler, zapStats } from '../../../src/transport/zap-handler.js'

const scan = ScanId.parse('scan-curve')
const open: { close(o?: { force?: boolean }): Promise<void> }[] = []
const raw: { close(): void }[] = []

afterEach(async () => {
  for (const s of raw.splice(0)) s.close()
  for (const s of open.splice(0).reverse()) await s.close({ force: true })
})

const WAIT = { timeout: 60_000, interval: 100 }

function results(worker: string, first: number, count: number, n: number): Uint8Array[] {
  const b = new ResultBatchBuilder(scan, WorkerName.parse(worker), `session-${worker}`)
  for (let e = first; e < first + count; e++) {
    b.result(eventNumber(e), slot(0), 'hash', Buffer.from('forged'))
  }
  return b.finish(n, 0)
}

function events(first: number, count: number): Uint8Array[] {
  const b = new EventBatchBuilder(scan)
  for (let e = first; e < first + count; e++) {
    b.add(eventNumber(e), slot(0), streamName('eiger'), 'STINS', [Buffer.alloc(8, e)])
  }
  return b.finish()
}

/** Raw zmq DEALERs a forger could run: plain, with its own key pair, and with its own pair
 * but the deployment's public key as the server key (which it may have read somewhere). */
function forgers(endpoint: string, keys: CurveKeys): Dealer[] {
  const own = generateCurveKeys()
  const dealers = [
    new Dealer({ routingId: 'forger-plain', linger: 0 }),
    new Dealer({
      routingId: 'forger-own',
      linger: 0,
      curveServerKey: own.publicKey,
      curvePublicKey: own.publicKey,
      curveSecretKey: own.secretKey,
    }),
    new Dealer({
      routingId: 'forger-known',
      linger: 0,
      curveServerKey: keys.publicKey,
      curvePublicKey: own.publicKey,
      curveSecretKey: own.secretKey,
    }),
  ]
  for (const d of dealers) {
    d.connect(endpoint)
    raw.push(d)
  }
  return dealers
}

describe('CURVE-authenticated data plane', { timeout: 120_000 }, () => {
  it('binds the ZAP handler again right after the last server released it', async () => {
    const keys = generateCurveKeys()
    for (let i = 0; i < 20; i++) {
      const release = await acquireZapHandler(keys.publicKey)
      await release()
    }
    const r = createResultReceiver({ curve: keys, onBatch: () => {} })
    await r.start()
    await r.close()
    const again = createResultReceiver({ curve: keys, onBatch: () => {} })
    open.push(again)
    await again.start()
    expect(again.state).toBe('running')
  })

  it('reduces only results from workers holding the key: forged batches never arrive', async () => {
    const keys = generateCurveKeys()
    const batches: ResultBatch[] = []
    const receiver = createResultReceiver({ curve: keys, onBatch: (b) => void batches.push(b) })
    open.push(receiver)
    await receiver.start()
    const refusedBefore = zapStats().refused
    const bad = forgers(receiver.endpoint, keys)
    // A forger's send never completes, and zeromq.js may reject it (EAGAIN, seen once in CI)
    // before the test ends: handled from the start, as the other forgers' sends below.
    for (const [i, d] of bad.entries())
      void d.send(results(`forger${i}`, 0, 100, 0)).catch(() => {})
    const genuine = createResultSender({
      endpoint: receiver.endpoint,
      routingId: 'w-genuine',
      curve: keys,
      onAck: () => {},
    })
    open.push(genuine)
    await genuine.start()
    for (let i = 0; i < 5; i++) await genuine.send(results('genuine', i * 10, 10, i))
    await vi.waitFor(() => expect(batches).toHaveLength(5), WAIT)
    // Both forgers that reach the handshake are refused by the ZAP handler; the plain one
    // fails the mechanism check before asking.
    await vi.waitFor(
      () => expect(zapStats().refused - refusedBefore).toBeGreaterThanOrEqual(1),
      WAIT,
    )
    await genuine.send(results('genuine', 50, 10, 5))
    await vi.waitFor(() => expect(batches).toHaveLength(6), WAIT)
    expect(new Set(batches.map((b) => b.worker))).toEqual(new Set(['genuine']))
    expect(receiver.invalidCount).toBe(0)
  })

  it('a plain result sender cannot reach a CURVE reducer, nor a keyed one a plain reducer', async () => {
    const keys = generateCurveKeys()
    const batches: ResultBatch[] = []
    const receiver = createResultReceiver({ curve: keys, onBatch: (b) => void batches.push(b) })
    open.push(receiver)
    await receiver.start()
    const plainBatches: ResultBatch[] = []
    const plainReceiver = createResultReceiver({ onBatch: (b) => void plainBatches.push(b) })
    open.push(plainReceiver)
    await plainReceiver.start()
    const plain = createResultSender({
      endpoint: receiver.endpoint,
      routingId: 'w-plain',
      onAck: () => {},
    })
    const keyed = createResultSender({
      endpoint: plainReceiver.endpoint,
      routingId: 'w-keyed',
      curve: keys,
      onAck: () => {},
    })
    open.push(plain, keyed)
    await plain.start()
    await keyed.start()
    void plain.send(results('plain', 0, 3, 0)).catch(() => {})
    void keyed.send(results('keyed', 0, 3, 0)).catch(() => {})
    // A control sender with the key proves the reducer reads; the other two stay out.
    const genuine = createResultSender({
      endpoint: receiver.endpoint,
      routingId: 'w-ok',
      curve: keys,
      onAck: () => {},
    })
    open.push(genuine)
    await genuine.start()
    await genuine.send(results('ok', 0, 3, 0))
    await vi.waitFor(() => expect(batches).toHaveLength(1), WAIT)
    await genuine.send(results('ok', 3, 3, 1))
    await vi.waitFor(() => expect(batches).toHaveLength(2), WAIT)
    expect(batches.map((b) => b.worker)).toEqual(['ok', 'ok'])
    expect(plainBatches).toEqual([])
  })

  it("an ingester hears hellos only from keyed workers, and a worker takes frames only from the deployment's ingesters", async () => {
    const keys = generateCurveKeys()
    const hellos: string[] = []
    const router = createIngesterRouter({ curve: keys, onHello: (h) => void hellos.push(h.worker) })
    open.push(router)
    await router.start()
    const bad = forgers(router.endpoint, keys)
    for (const d of bad) void d.send('hello').catch(() => {})
    const got: EventBatch[] = []
    const worker = createWorkerDealer({
      endpoint: router.endpoint,
      worker: WorkerName.parse('w1'),
      curve: keys,
      onBatch: (b) => void got.push(b),
    })
    open.push(worker)
    await worker.start()
    await vi.waitFor(() => expect(hellos).toContain('w1'), WAIT)
    await router.sendTo(WorkerName.parse('w1'), events(0, 4))
    await vi.waitFor(() => expect(got).toHaveLength(1), WAIT)
    expect(hellos.every((h) => h === 'w1')).toBe(true)

    // A forged ingester (a plain ROUTER, or one with its own keys) pushes frames at a keyed
    // worker that connects to it: the handshake never completes, the worker takes nothing.
    const own = generateCurveKeys()
    for (const options of [{}, { curveServer: true, curveSecretKey: own.secretKey }]) {
      const fake = new Router({ linger: 0, sendTimeout: 0, mandatory: true, ...options })
      raw.push(fake)
      await fake.bind('tcp://127.0.0.1:*')
      const seen: EventBatch[] = []
      const victim = createWorkerDealer({
        endpoint: fake.lastEndpoint ?? '',
        worker: WorkerName.parse('w2'),
        curve: keys,
        onBatch: (b) => void seen.push(b),
      })
      open.push(victim)
      await victim.start()
      // Genuine traffic on the genuine link meanwhile keeps arriving.
      const before = got.length
      await router.sendTo(WorkerName.parse('w1'), events(10, 2))
      await vi.waitFor(() => expect(got.length).toBe(before + 1), WAIT)
      const pushed = await fake.send(['w2', ...events(0, 4)]).then(
        () => true,
        () => false,
      )
      expect(pushed).toBe(false)
      expect(seen).toEqual([])
    }
  })
})
