import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlPlane } from '../../../../src/control/control-plane.js'
import type { ProcessChange } from '../../../../src/control/process-info.js'
import {
  createProcessRegistry,
  type ProcessRegistry,
} from '../../../../src/control/process-registry.js'
import type { ContractHarness, HarnessFactory } from './harness.js'

const HEARTBEAT_MS = 50

/** Collects what a watcher reports, until stopped. */
function watchAll(registry: ProcessRegistry, pollMs = HEARTBEAT_MS) {
  const controller = new AbortController()
  const changes: ProcessChange[] = []
  const done = (async () => {
    for await (const change of registry.watch({ signal: controller.signal, pollMs })) {
      changes.push(change)
    }
  })()
  const summary = () =>
    changes.map((c) => `${c.type}:${c.process.name}${c.type === 'left' ? `:${c.reason}` : ''}`)
  const stop = () => {
    controller.abort()
    return done
  }
  return { changes, summary, stop }
}

/** Contract of the process registry on any plane. */
export function describeRegistryContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: process registry`, () => {
    let h: ContractHarness
    let cp: ControlPlane
    let registry: ProcessRegistry
    beforeEach(async () => {
      h = await factory()
      cp = await h.connect()
      registry = createProcessRegistry(cp, { heartbeatMs: HEARTBEAT_MS })
    })
    afterEach(async () => {
      await h.cleanup()
    })

    it('registers with info and lists live processes', async () => {
      const w = await registry.register({
        role: 'worker',
        name: 'w1',
        info: { tags: ['generic', 'gpu'], version: '0.1.0', ports: { data: 4000 } },
      })
      const r = await registry.register({ role: 'reducer', name: 'r', info: { url: 'http://x' } })
      const all = await registry.list()
      expect(all.map((p) => `${p.role}/${p.name}`)).toEqual(['reducer/r', 'worker/w1'])
      expect(await registry.list('worker')).toEqual([w.info])
      expect(w.info).toMatchObject({ tags: ['generic', 'gpu'], pid: process.pid, heartbeatMs: 50 })
      expect(await registry.get('reducer', 'r')).toEqual(r.info)
      expect(await registry.get('reducer', 'nope')).toBeUndefined()
      await Promise.all([w.close(), r.close()])
    })

    it('refuses a second live registration of the same name unless replacing', async () => {
      const first = await registry.register({ role: 'worker', name: 'w1' })
      await expect(registry.register({ role: 'worker', name: 'w1' })).rejects.toMatchObject({
        code: 'STATE_INVALID',
      })
      const second = await registry.register({ role: 'worker', name: 'w1', replace: true })
      expect((await registry.get('worker', 'w1'))?.instanceId).toBe(second.info.instanceId)
      // The replaced one notices at its next heartbeat and closes with STATE_INVALID.
      expect(await first.closed).toMatchObject({ code: 'STATE_INVALID' })
      await second.close()
    })

    it('keeps a heartbeating process alive past its TTL', async () => {
      const w = await registry.register({ role: 'worker', name: 'alive' })
      for (let beat = 1; beat <= 5; beat++) {
        h.elapse(HEARTBEAT_MS * 2)
        await expect
          .poll(() => w.heartbeats, { timeout: h.pollTimeoutMs })
          .toBeGreaterThanOrEqual(beat)
      }
      expect(w.rejoins).toBe(0)
      expect((await registry.list()).map((p) => p.name)).toEqual(['alive'])
      await w.close()
    })

    it('removes a cleanly closed process at once and reports it left (closed)', async () => {
      const watcher = watchAll(registry, 60_000)
      const w = await registry.register({ role: 'worker', name: 'w1' })
      await expect.poll(watcher.summary).toEqual(['joined:w1'])
      await w.close()
      expect(await cp.get(cp.keys.process('worker', 'w1'))).toBeUndefined()
      expect(await registry.list()).toEqual([])
      // pollMs is a minute: only the leave announcement can wake the watcher this fast.
      await expect.poll(watcher.summary).toEqual(['joined:w1', 'left:w1:closed'])
      await watcher.stop()
    })

    it('declares a process that stops heartbeating gone (expired)', async () => {
      const crashing = await h.connect()
      const other = createProcessRegistry(crashing, { heartbeatMs: HEARTBEAT_MS })
      const w = await other.register({ role: 'worker', name: 'doomed' })
      const watcher = watchAll(registry)
      await expect.poll(watcher.summary).toEqual(['joined:doomed'])
      // The process "dies": its plane goes away without the registration closing cleanly.
      await crashing.close({ force: true })
      expect(await w.closed).toBeDefined()
      h.elapse(HEARTBEAT_MS * 3 + 1)
      await expect
        .poll(watcher.summary, { timeout: h.pollTimeoutMs })
        .toEqual(['joined:doomed', 'left:doomed:expired'])
      expect(await registry.list()).toEqual([])
      await watcher.stop()
    })

    it('reports existing processes first, and updates', async () => {
      const w = await registry.register({ role: 'worker', name: 'w1' })
      const watcher = watchAll(registry)
      await expect.poll(watcher.summary).toEqual(['joined:w1'])
      await w.update({ tags: ['gpu'] })
      await expect.poll(watcher.summary).toEqual(['joined:w1', 'updated:w1'])
      expect(watcher.changes[1]?.process.tags).toEqual(['gpu'])
      await watcher.stop()
      await w.close()
    })

    it('keeps heartbeating through a stream of updates (one at a time with the beats)', async () => {
      // An update racing a heartbeat used to end the registration ("another instance took the
      // name"). A stalled event loop may let the key expire and the registration rejoin: that
      // is allowed; ending is not.
      const fast = createProcessRegistry(cp, { heartbeatMs: 2 })
      const w = await fast.register({ role: 'worker', name: 'busy' })
      const beatsBefore = w.heartbeats
      for (let i = 0; i < 200; i++) {
        await w.update({ ingesters: [{ name: `ing-${i}`, instanceId: `id-${i}` }] })
      }
      await expect.poll(() => w.heartbeats).toBeGreaterThan(beatsBefore)
      expect(w.state).toBe('running')
      // With 2 ms beats a loaded machine may let the key lapse until the rejoin: wait for it.
      await expect
        .poll(async () => (await fast.get('worker', 'busy'))?.ingesters, {
          timeout: h.pollTimeoutMs,
        })
        .toEqual([{ name: 'ing-199', instanceId: 'id-199' }])
      await w.close()
      expect(await w.closed).toBeUndefined()
    })

    it('an update after its key vanished takes the name again (a control plane that lost its data)', async () => {
      const w = await registry.register({ role: 'worker', name: 'lost' })
      await cp.del(cp.keys.process('worker', 'lost'))
      await w.update({ tags: ['after'] })
      expect(w.state).toBe('running')
      expect(w.rejoins).toBe(1)
      expect((await registry.get('worker', 'lost'))?.tags).toEqual(['after'])
      await w.close()
      expect(await w.closed).toBeUndefined()
    })

    it('registers again after its key expired behind its back', async () => {
      const w = await registry.register({ role: 'ingester', name: 'i1' })
      await cp.del(cp.keys.process('ingester', 'i1'))
      await expect.poll(() => w.rejoins, { timeout: h.pollTimeoutMs }).toBe(1)
      expect((await registry.get('ingester', 'i1'))?.instanceId).toBe(w.info.instanceId)
      await w.close()
    })

    it('ends a registration with the plane: closed carries the error', async () => {
      const own = await h.connect()
      const w = await createProcessRegistry(own, { heartbeatMs: HEARTBEAT_MS }).register({
        role: 'controller',
        name: 'c',
      })
      await own.close()
      const err = await w.closed
      expect(err?.name).toMatch(/StateError|UpstreamClosedError/)
      expect(w.state).toBe('closed')
    })
  })
}
