import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ControlPlane, STREAM_START } from '../../../../src/control/control-plane.js'
import { compareStreamIds } from '../../../../src/control/stream-id.js'
import { type ContractHarness, type HarnessFactory, text } from './harness.js'

const values = (entries: { fields: ReadonlyMap<string, Uint8Array> }[]): (string | undefined)[] =>
  entries.map((e) => text(e.fields.get('n')))

/** Contract of the stream commands and the lifecycle of a {@link ControlPlane}. */
export function describePlaneStreamsContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: streams and lifecycle`, () => {
    let h: ContractHarness
    let cp: ControlPlane
    beforeEach(async () => {
      h = await factory()
      cp = await h.connect()
    })
    afterEach(async () => {
      await h.cleanup()
    })

    it('appends with growing ids and reads ranges both ways', async () => {
      const k = cp.keys.logs()
      const ids: string[] = []
      for (let n = 0; n < 5; n++)
        ids.push(await cp.xadd(k, { n: String(n), bin: Uint8Array.of(n) }))
      for (let i = 1; i < ids.length; i++) {
        expect(compareStreamIds(ids[i] as string, ids[i - 1] as string)).toBeGreaterThan(0)
      }
      const all = await cp.xrange(k)
      expect(all.map((e) => e.id)).toEqual(ids)
      expect(values(all)).toEqual(['0', '1', '2', '3', '4'])
      expect([...(all[3]?.fields.get('bin') ?? [])]).toEqual([3])
      expect(values(await cp.xrange(k, { start: `(${ids[1]}`, count: 2 }))).toEqual(['2', '3'])
      expect(
        values(await cp.xrange(k, { start: ids[1] as string, end: ids[2] as string })),
      ).toEqual(['1', '2'])
      expect(values(await cp.xrevrange(k, { count: 2 }))).toEqual(['4', '3'])
      expect(await cp.xrange(cp.keys.scanUpdates())).toEqual([])
    })

    it('trims to maxLen, dropping the oldest entries', async () => {
      const k = cp.keys.logs()
      for (let n = 0; n < 10; n++) await cp.xadd(k, { n: String(n) }, { maxLen: 3 })
      expect(values(await cp.xrange(k))).toEqual(['7', '8', '9'])
    })

    it('reads entries after an id at once when there are some', async () => {
      const k = cp.keys.logs()
      const first = await cp.xadd(k, { n: 'a' })
      await cp.xadd(k, { n: 'b' })
      expect(values(await cp.xread(k, STREAM_START, { timeoutMs: 10_000 }))).toEqual(['a', 'b'])
      expect(values(await cp.xread(k, first, { timeoutMs: 10_000 }))).toEqual(['b'])
      expect(values(await cp.xread(k, STREAM_START, { count: 1 }))).toEqual(['a'])
    })

    it('wakes a blocked read on an append from another plane', async () => {
      const k = cp.keys.processEvents()
      const other = await h.connect()
      const read = cp.xread(k, STREAM_START)
      // Blocked reads must not delay ordinary commands of the same plane.
      await cp.set(cp.keys.logs(), 'still responsive')
      expect(text(await cp.get(cp.keys.logs()))).toBe('still responsive')
      await other.xadd(k, { n: 'woken' })
      expect(values(await read)).toEqual(['woken'])
    })

    it('serves concurrent blocked reads on different streams', async () => {
      const a = cp.keys.processEvents()
      const b = cp.keys.parameterChanges()
      const readA = cp.xread(a, STREAM_START, { timeoutMs: 10_000 })
      const readB = cp.xread(b, STREAM_START, { timeoutMs: 10_000 })
      await cp.xadd(b, { n: 'b' })
      await cp.xadd(a, { n: 'a' })
      expect(values(await readA)).toEqual(['a'])
      expect(values(await readB)).toEqual(['b'])
    })

    it('resolves [] when a blocking read times out', async () => {
      expect(await cp.xread(cp.keys.logs(), STREAM_START, { timeoutMs: 50 })).toEqual([])
    })

    it('cancels a blocked read by AbortSignal and stays usable', async () => {
      const k = cp.keys.logs()
      const controller = new AbortController()
      const read = expect(
        cp.xread(k, STREAM_START, { signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' })
      controller.abort()
      await read
      await expect(cp.xread(k, STREAM_START, { signal: controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      })
      await cp.xadd(k, { n: 'after' })
      expect(values(await cp.xread(k, STREAM_START, { timeoutMs: 1_000 }))).toEqual(['after'])
    })

    it('rejects a blocked read with UPSTREAM_CLOSED when the plane closes', async () => {
      const read = expect(cp.xread(cp.keys.logs(), STREAM_START)).rejects.toMatchObject({
        code: 'UPSTREAM_CLOSED',
      })
      await cp.close()
      await read
      expect(await cp.closed).toBeUndefined()
      expect(cp.state).toBe('closed')
    })

    it('refuses commands before start and after close (STATE_INVALID)', async () => {
      const fresh = h.create()
      await expect(fresh.get(fresh.keys.logs())).rejects.toMatchObject({ code: 'STATE_INVALID' })
      await cp.close()
      await expect(cp.get(cp.keys.logs())).rejects.toMatchObject({ code: 'STATE_INVALID' })
    })

    it('lifecycle: start→close, close twice', async () => {
      const plane = h.create()
      expect(plane.state).toBe('idle')
      await plane.start()
      expect(plane.state).toBe('running')
      await Promise.all([plane.close(), plane.close()])
      await plane.close()
      expect(plane.state).toBe('closed')
      expect(await plane.closed).toBeUndefined()
      await expect(plane.start()).rejects.toMatchObject({ code: 'STATE_INVALID' })
    })

    it('lifecycle: close during start', async () => {
      const plane = h.create()
      const starting = plane.start()
      await plane.close()
      await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
      expect(plane.state).toBe('closed')
      expect(await plane.closed).toBeUndefined()
    })

    it('lifecycle: a forced close releases at once, even with reads blocked', async () => {
      const reads = [STREAM_START, '1-0'].map((after) =>
        expect(cp.xread(cp.keys.logs(), after)).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' }),
      )
      await cp.close({ force: true })
      await Promise.all(reads)
    })
  })
}
