import { afterEach, describe, expect, it, vi } from 'vitest'
import { sequenceFromTriggerMap, streamName, uniformTriggerMap } from '../../../src/internal.js'
import { FakeProcess, testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined

afterEach(async () => {
  const errors = bed?.errors() ?? []
  await bed?.cleanup()
  bed = undefined
  expect(errors).toEqual([])
})

const uniform = (n: number, streams = ['eiger']) =>
  sequenceFromTriggerMap(uniformTriggerMap(streams.map(streamName), n))

describe('controller scan flow', () => {
  it('runs a small scan to finished, then a second one', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a')
    const b = await bed.worker('b')
    const c = await bed.controller()
    const id = await c.startScan(uniform(20), true)
    await vi.waitFor(
      () => expect(c.progress()).toMatchObject({ finished: true, total_events: 22 }),
      { timeout: 5000 },
    )
    expect(c.progress()).toEqual({
      last_assigned: 22,
      completed_events: 22,
      total_events: 22,
      finished: true,
      status: 'finished',
      failed_events: 0,
    })
    expect(c.scan()).toMatchObject({ scanId: id, status: 'finished' })
    const seen = new Set([...a.processed, ...b.processed])
    expect(seen.size).toBe(22)
    const id2 = await c.startScan(uniform(5), false)
    expect(id2).not.toBe(id)
    await vi.waitFor(() => expect(c.scan()).toMatchObject({ scanId: id2, status: 'finished' }), {
      timeout: 5000,
    })
    expect(c.progress().total_events).toBe(5)
  })
})

describe('controller failures and stops', () => {
  it('re-routes the events of a worker that expires mid-scan, and the scan still finishes', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a', { window: 4 })
    const b = await bed.worker('b', { window: 4, paused: true })
    const c = await bed.controller()
    await c.startScan(uniform(30), true)
    await vi.waitFor(() =>
      expect(b.seen.some((e) => JSON.stringify(e.routes).includes('"b"'))).toBe(true),
    )
    b.crash()
    await vi.waitFor(() => expect(c.scan()?.status).toBe('finished'), { timeout: 5000 })
    const rerouted = a.seen.filter((e) => e.rerouted.length > 0)
    expect(rerouted.length).toBeGreaterThan(0)
    const bSlot = a.seen.find((e) => e.workerSlots.b !== undefined)?.workerSlots.b
    expect(bSlot).toBeDefined()
    expect(a.seen.flatMap((e) => e.slots).some(([, , w, s]) => w === 'a' && s === bSlot)).toBe(true)
    expect(new Set(a.processed).size).toBeGreaterThan(20)
    // Said at WARNING in the shared log, naming the worker.
    const warnings = (await c.logs.recent(100)).filter((l) => l.entry.level === 'warn')
    expect(warnings.map((l) => l.entry.message)).toContain(
      "worker 'b' stopped heartbeating; its unfinished events go to the other workers",
    )
  })

  it('stops a scan, and a new map replaces a running scan', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a', { paused: true })
    const c = await bed.controller()
    const first = await c.startScan(uniform(10), true)
    const second = await c.startScan(uniform(10), true)
    const records = await bed.fakes.xrange(bed.fakes.keys.scanUpdates())
    const updates = records.map((r) => JSON.parse(Buffer.from(r.fields.get('u') ?? []).toString()))
    expect(updates).toEqual([
      { type: 'started', scanId: first },
      { type: 'stopped', scanId: first, reason: 'replaced' },
      { type: 'started', scanId: second },
    ])
    expect(await c.stop()).toBe(true)
    expect(c.scan()).toMatchObject({ scanId: second, status: 'stopped' })
    expect(c.progress().finished).toBe(true)
    expect(await c.stop()).toBe(false)
  })

  it('refuses a map with unserved streams or too few workers, naming them', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const c = await bed.controller()
    const map = {
      eiger: [
        [
          { tags: ['generic'], constraint: 0 },
          { tags: ['generic'], constraint: 1 },
        ],
      ],
      orca: [[{ tags: ['generic'], constraint: 2 }]],
    }
    const err = await c
      .startScan(sequenceFromTriggerMap(map as never), true)
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'MAPPING_INVALID' })
    expect((err as { issues: unknown }).issues).toEqual([
      { path: ['orca'], message: "stream 'orca' is not served by any live ingester" },
      { path: [], message: 'only 0 workers available, but 3 required' },
      { path: [], message: 'no live worker has the tags [generic] a virtual worker asks for' },
    ])
  })

  it('stops the scan when an ingester logs upstream-lost', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a', { paused: true })
    const c = await bed.controller()
    const id = await c.startScan(uniform(10), true)
    await c.logs.append({
      time: Date.now(),
      level: 'warn',
      role: 'ingester',
      name: 'ing',
      message: 'detector gone',
      context: { kind: 'upstream-lost', scanId: id },
    })
    await vi.waitFor(() => expect(c.scan()).toMatchObject({ status: 'stopped' }))
    expect(c.scan()?.reason).toContain('upstream-lost')
  })
})

describe('controller: events whose analysis times out or crashes', () => {
  it('hands the event to another worker, then fails it at the attempt limit', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a', { window: 30, paused: true })
    const c = await bed.controller()
    const id = await c.startScan(uniform(10), false)
    await vi.waitFor(() => expect(JSON.stringify(a.seen)).toContain('"a"'))
    const fault = (worker: string, event: number) =>
      bed!.fakes.xadd(bed!.fakes.keys.credits(id), {
        c: JSON.stringify({ worker, fault: { event, kind: 'timeout', reason: 'stuck' } }),
      })
    // A second worker joins; the first gives up on event 4.
    const b = await bed.worker('b', { window: 30, paused: true })
    await fault('a', 4)
    await vi.waitFor(() =>
      expect(b.seen.some((e) => e.rerouted.some(([f, t]) => f <= 4 && 4 < t))).toBe(true),
    )
    expect(c.run?.assigner.heldBy('b' as never)).toEqual([[4, 5]])
    const warned = () => bed!.lines.filter((l) => l.level === 40).map((l) => l.msg)
    expect(warned()).toContainEqual(
      expect.stringMatching(/^event 4: attempt 1 failed on worker 'a' \(timeout: stuck\)/),
    )
    // The second attempt fails too: the event is complete, failed, handed on no more.
    await fault('b', 4)
    await vi.waitFor(() => expect(c.progress().failed_events).toBe(1))
    expect(c.run?.assigner.heldBy('b' as never)).toEqual([])
    expect(warned()).toContainEqual(expect.stringMatching(/^event 4 failed after 2 attempts/))
    await a.resume()
    await vi.waitFor(() => expect(c.scan()?.status).toBe('finished'), { timeout: 5000 })
    // A late completion of event 4 by the worker that gave up on it changes nothing.
    expect(c.progress()).toMatchObject({ status: 'finished', failed_events: 1 })
  })
  it('finishes the scan when its last outstanding event fails at the attempt limit', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a', { window: 30, paused: true })
    const c = await bed.controller()
    const id = await c.startScan(uniform(10), false)
    await vi.waitFor(() => expect(c.run?.assigner.heldBy('a' as never)).toEqual([[0, 10]]))
    const b = await bed.worker('b', { window: 30, paused: true })
    await vi.waitFor(() => expect(c.run?.members.has('b')).toBe(true))
    // Every event but 4 completes; then event 4 fails on both workers, after everything else.
    const report: object = {
      done: [
        [
          'a',
          [
            [0, 4],
            [5, 10],
          ],
        ],
      ],
      failed: 0,
    }
    await bed.fakes.xadd(bed.fakes.keys.completions(id), { c: JSON.stringify(report) })
    await vi.waitFor(() => expect(c.run?.assigner.heldBy('a' as never)).toEqual([[4, 5]]))
    const fault = (worker: string) =>
      bed!.fakes.xadd(bed!.fakes.keys.credits(id), {
        c: JSON.stringify({ worker, fault: { event: 4, kind: 'crashed', reason: 'memory cap' } }),
      })
    await fault('a')
    await vi.waitFor(() => expect(c.run?.assigner.heldBy('b' as never)).toEqual([[4, 5]]))
    await fault('b')
    await vi.waitFor(() => expect(c.scan()?.status).toBe('finished'), { timeout: 5000 })
    expect(c.progress()).toMatchObject({ finished: true, completed_events: 10, failed_events: 1 })
    expect(a.processed).toEqual([])
    expect(b.processed).toEqual([])
  })
})

describe('controller: nothing waits forever', () => {
  it('reports what a scan without progress waits for, then fails it at the deadline', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const reducer = new FakeProcess(bed.fakes, 'reducer', 'reducer')
    await reducer.register()
    const a = await bed.worker('a', { window: 4, paused: true })
    const c = await bed.controller(true, { stallWarnMs: 300, stallTimeoutMs: 2500 })
    const id = await c.startScan(uniform(10), true)
    await vi.waitFor(() => expect(c.progress().waiting_for).toBeDefined(), { timeout: 5000 })
    expect(c.progress().waiting_for?.[0]).toMatch(/^worker 'a' to complete \d+ events? \(first: 0/)
    await vi.waitFor(() => expect(c.scan()?.status).toBe('failed'), { timeout: 10_000 })
    expect(c.scan()?.reason).toMatch(/^no progress for \d+ s: waiting for worker 'a'/)
    expect(c.progress()).toMatchObject({ finished: true, status: 'failed' })
    expect(c.progress().waiting_for).toBeUndefined()
    const warned = bed.lines.filter((l) => l.level === 40).map((l) => l.msg)
    expect(warned).toContainEqual(
      expect.stringMatching(new RegExp(`^scan ${id} has made no progress`)),
    )
    // The failure is logged at ERROR, as it should be: take it out of the unexpected errors.
    expect(bed.errors().map((l) => l.msg)).toEqual([expect.stringMatching(/^scan .* failed: /)])
    bed.lines.splice(0)
    reducer.crash()
    await a.resume()
  })

  it('names a live worker that never asks for work when the broadcast start waits for it', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const reducer = new FakeProcess(bed.fakes, 'reducer', 'reducer')
    await reducer.register()
    await bed.worker('a')
    const lazy = new FakeProcess(bed.fakes, 'worker', 'lazy', { tags: ['generic'] })
    await lazy.register()
    const c = await bed.controller(true, { stallWarnMs: 300 })
    await c.startScan(uniform(4), true)
    await vi.waitFor(() => expect(c.progress().waiting_for).toBeDefined(), { timeout: 5000 })
    expect(c.progress()).toMatchObject({ completed_events: 0 })
    expect(c.progress().waiting_for).toContain("worker 'lazy' to ask for work")
    expect(c.progress().waiting_for).not.toContain("worker 'a' to ask for work")
    await c.stop()
    lazy.crash()
    reducer.crash()
  })

  it('fails a running scan whose state vanished from the control plane (data lost)', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a', { paused: true })
    const c = await bed.controller()
    const id = await c.startScan(uniform(10), true)
    await bed.fakes.del(bed.fakes.keys.scan(id))
    await vi.waitFor(() => expect(c.scan()?.status).toBe('failed'), { timeout: 5000 })
    expect(c.scan()?.reason).toMatch(/control plane lost the scan/)
    bed.lines.splice(0)
  })
})

describe('controller restarts', () => {
  it('keeps parameters across a restart', async () => {
    bed = await testBed()
    const c1 = await bed.controller(true, { allowUndescribedParameters: true })
    const r = await c1.setParameter('roi', new TextEncoder().encode('[1,2]'))
    expect(r.version).toBe(1)
    await c1.close()
    const c2 = await bed.controller()
    expect(Buffer.from((await c2.parameters.get('roi')) ?? []).toString()).toBe('[1,2]')
    expect((await c2.parameters.current()).hash).toBe(r.hash)
  })

  it('resumes a running scan after a restart and finishes it', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a', { window: 4 })
    const b = await bed.worker('b', { window: 4, paused: true })
    const c1 = await bed.controller()
    const id = await c1.startScan(uniform(40), true)
    await vi.waitFor(() => expect(a.processed.length).toBeGreaterThan(5))
    const before = c1.progress()
    await c1.close()
    const c2 = await bed.controller()
    expect(c2.scan()).toMatchObject({ scanId: id, status: 'running' })
    expect(c2.progress().last_assigned).toBeGreaterThanOrEqual(before.last_assigned)
    await b.resume()
    await vi.waitFor(() => expect(c2.scan()?.status).toBe('finished'), { timeout: 5000 })
    const all = new Set([...a.processed, ...b.processed])
    expect(all.size).toBe(42)
  })
})
