import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlPlane } from '../../../../src/control/control-plane.js'
import { ScanId } from '../../../../src/protocol/ids.js'
import { type ContractHarness, type HarnessFactory, text, utf8 } from './harness.js'

/** Contract of the key, counter, hash and scan commands of a {@link ControlPlane}. */
export function describePlaneKeysContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: keys, counters, hashes, scan`, () => {
    let h: ContractHarness
    let cp: ControlPlane
    beforeEach(async () => {
      h = await factory()
      cp = await h.connect()
    })
    afterEach(async () => {
      await h.cleanup()
    })

    it('sets and gets text and bytes; a missing key is undefined', async () => {
      const k = cp.keys.scanUpdates()
      expect(await cp.get(k)).toBeUndefined()
      expect(await cp.set(k, 'héllo')).toBe(true)
      expect(text(await cp.get(k))).toBe('héllo')
      const all = Uint8Array.from({ length: 256 }, (_, i) => i)
      await cp.set(k, all)
      expect([...((await cp.get(k)) ?? [])]).toEqual([...all])
    })

    it('set-if-absent only sets a missing key', async () => {
      const k = cp.keys.controllerLease()
      expect(await cp.set(k, 'a', { ifAbsent: true })).toBe(true)
      expect(await cp.set(k, 'b', { ifAbsent: true })).toBe(false)
      expect(text(await cp.get(k))).toBe('a')
    })

    it('expires a key after its TTL; a plain set drops the TTL', async () => {
      const k = cp.keys.controllerLease()
      await cp.set(k, 'x', { ttlMs: 200 })
      const ttl = await cp.pttl(k)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(200)
      h.elapse(250)
      await expect.poll(() => cp.get(k), { timeout: h.pollTimeoutMs }).toBeUndefined()
      expect(await cp.pttl(k)).toBeUndefined()
      await cp.set(k, 'y', { ttlMs: 10_000 })
      await cp.set(k, 'z')
      expect(await cp.pttl(k)).toBe(Number.POSITIVE_INFINITY)
    })

    it('pexpire sets a TTL on an existing key only', async () => {
      const k = cp.keys.logs()
      expect(await cp.pexpire(k, 100)).toBe(false)
      await cp.set(k, 'x')
      expect(await cp.pexpire(k, 150)).toBe(true)
      h.elapse(200)
      await expect.poll(() => cp.get(k), { timeout: h.pollTimeoutMs }).toBeUndefined()
    })

    it('deletes keys of any type and counts the ones that existed', async () => {
      const a = cp.keys.logs()
      const b = cp.keys.parameters()
      const c = cp.keys.processEvents()
      await cp.set(a, '1')
      await cp.hset(b, { f: 'v' })
      await cp.xadd(c, { f: 'v' })
      expect(await cp.del([a, b, c, cp.keys.scanUpdates()])).toBe(3)
      expect(await cp.del(a)).toBe(0)
      expect(await cp.del([])).toBe(0)
    })

    it('compare-and-swap, -delete and -expire act only on a matching value', async () => {
      const k = cp.keys.controllerLease()
      expect(await cp.compareAndSwap(k, 'x', 'y')).toBe(false)
      expect(await cp.compareAndSwap(k, undefined, 'me', { ttlMs: 10_000 })).toBe(true)
      expect(await cp.compareAndSwap(k, undefined, 'other')).toBe(false)
      expect(await cp.compareAndExpire(k, 'other', 100)).toBe(false)
      expect(await cp.compareAndDelete(k, 'other')).toBe(false)
      expect(text(await cp.get(k))).toBe('me')
      expect(await cp.compareAndSwap(k, utf8('me'), 'me2')).toBe(true)
      expect(await cp.pttl(k)).toBe(Number.POSITIVE_INFINITY)
      expect(await cp.compareAndExpire(k, 'me2', 100)).toBe(true)
      expect(await cp.pttl(k)).toBeLessThanOrEqual(100)
      expect(await cp.compareAndDelete(k, 'me2')).toBe(true)
      expect(await cp.get(k)).toBeUndefined()
    })

    it('counts atomically from zero, keeping a TTL', async () => {
      const k = cp.keys.credits(ScanId.parse('s1'))
      expect(await cp.incrBy(k)).toBe(1)
      expect(await cp.incrBy(k, 10)).toBe(11)
      expect(await cp.incrBy(k, -12)).toBe(-1)
      await cp.pexpire(k, 10_000)
      await Promise.all(Array.from({ length: 20 }, () => cp.incrBy(k)))
      expect(text(await cp.get(k))).toBe('19')
      expect(await cp.pttl(k)).toBeLessThanOrEqual(10_000)
    })

    it('refuses a counter on text and a command on the wrong type (STATE_INVALID)', async () => {
      const k = cp.keys.logs()
      await cp.set(k, 'not a number')
      await expect(cp.incrBy(k)).rejects.toMatchObject({ code: 'STATE_INVALID' })
      await expect(cp.hget(k, 'f')).rejects.toMatchObject({ code: 'STATE_INVALID' })
      await expect(cp.xadd(k, { f: 'v' })).rejects.toMatchObject({ code: 'STATE_INVALID' })
    })

    it('keeps hashes: set, get, get all, delete fields; an emptied hash is gone', async () => {
      const k = cp.keys.parameters()
      expect(await cp.hgetall(k)).toEqual(new Map())
      await cp.hset(k, { a: '1', b: Uint8Array.of(0, 255) })
      await cp.hset(k, { a: '2' })
      await cp.hset(k, {})
      expect(text(await cp.hget(k, 'a'))).toBe('2')
      expect(await cp.hget(k, 'zz')).toBeUndefined()
      const all = await cp.hgetall(k)
      expect([...all.keys()].sort()).toEqual(['a', 'b'])
      expect([...(all.get('b') ?? [])]).toEqual([0, 255])
      expect(await cp.hdel(k, ['a', 'zz'])).toBe(1)
      expect(await cp.hdel(k, ['b'])).toBe(1)
      expect(await cp.scan(k)).toEqual([])
    })

    it('scans by pattern, only under its own prefix', async () => {
      const other = await h.connect(`${h.prefix}x`)
      await cp.set(cp.keys.process('worker', 'w1'), '1')
      await cp.set(cp.keys.process('worker', 'w:2*'), '1')
      await cp.set(cp.keys.process('reducer', 'r'), '1')
      await other.set(other.keys.process('worker', 'w9'), '1')
      const workers = await cp.scan(cp.keys.processesPattern('worker'))
      expect(workers.sort()).toEqual(
        [cp.keys.process('worker', 'w1'), cp.keys.process('worker', 'w:2*')].sort(),
      )
      expect(await cp.scan(cp.keys.processesPattern())).toHaveLength(3)
      // Its own keys and the epoch every plane writes when it starts.
      expect((await other.scan(other.keys.allPattern())).sort()).toEqual(
        [other.keys.process('worker', 'w9'), other.keys.epoch()].sort(),
      )
    })

    it('refuses keys outside its prefix and bad arguments (CONFIG_INVALID)', async () => {
      await expect(cp.get('elsewhere:key')).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
      await expect(cp.scan('*')).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
      const k = cp.keys.logs()
      await expect(cp.set(k, 'x', { ttlMs: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
      await expect(cp.pexpire(k, 1.5)).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
      await expect(cp.xadd(k, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    })

    it('shares data between planes of one prefix, as processes share one server', async () => {
      const other = await h.connect()
      await cp.set(cp.keys.logs(), 'from cp')
      expect(text(await other.get(other.keys.logs()))).toBe('from cp')
    })
  })
}
