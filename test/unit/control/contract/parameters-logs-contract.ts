import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlPlane } from '../../../../src/control/control-plane.js'
import {
  createLogStream,
  type LogEntry,
  type LoggedEntry,
} from '../../../../src/control/log-stream.js'
import {
  createParameterStore,
  type ParameterChangeEntry,
} from '../../../../src/control/parameter-store.js'
import { ParameterName } from '../../../../src/protocol/ids.js'
import { type ContractHarness, type HarnessFactory, text } from './harness.js'

const pn = (name: string) => ParameterName.parse(name)
const log = (message: string, level: LogEntry['level'] = 'info'): LogEntry => ({
  time: Date.now(),
  level,
  role: 'worker',
  name: 'w1',
  message,
})

/** sha256 of nothing: no parameters set. */
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** roi = '[0, 10]' and mask = 00 01 ff (see test/unit/analysis/parameters.test.ts). */
const ROI_MASK_HASH = '277a91fae785f5d617fba7b4c646e0345e82b8a40c5c9d158da7a847ab0157aa'

/** Contract of the parameter store and the log stream on any plane. */
export function describeParametersLogsContract(name: string, factory: HarnessFactory): void {
  describe(`${name}: parameters and logs`, () => {
    let h: ContractHarness
    let cp: ControlPlane
    beforeEach(async () => {
      h = await factory()
      cp = await h.connect()
    })
    afterEach(async () => {
      await h.cleanup()
    })

    it('versions and hashes parameters like the analysis side does', async () => {
      const store = createParameterStore(cp)
      const empty = await store.getAll()
      expect(empty.version).toBe(0)
      expect(empty.hash).toBe(EMPTY_HASH)
      expect(await store.set(pn('roi'), '[0, 10]')).toMatchObject({ version: 1 })
      const mask = Uint8Array.of(0, 1, 255)
      const second = await store.set(pn('mask'), mask)
      expect(second.version).toBe(2)
      const snap = await store.getAll()
      expect(snap.version).toBe(2)
      expect(text(snap.values.get(pn('roi')))).toBe('[0, 10]')
      expect([...(snap.values.get(pn('mask')) ?? [])]).toEqual([0, 1, 255])
      // Computed outside beamloom (Python hashlib over the documented layout).
      const expected = ROI_MASK_HASH
      expect(snap.hash).toBe(expected)
      expect(second.hash).toBe(expected)
      // Setting the same values again is a new version with the same hash.
      expect(await store.set(pn('roi'), '[0, 10]')).toEqual({ version: 3, hash: expected })
    })

    it('keeps a history and a change feed; concurrent writers lose nothing', async () => {
      const store = createParameterStore(cp)
      const other = createParameterStore(await h.connect())
      const controller = new AbortController()
      const seen: ParameterChangeEntry[] = []
      const following = (async () => {
        for await (const c of store.changes({ signal: controller.signal })) seen.push(c)
      })()
      await store.set(pn('a'), '1')
      await Promise.all([
        store.set(pn('b'), '2'),
        other.set(pn('c'), '3'),
        other.setMany(
          new Map([
            [pn('d'), '4'],
            [pn('e'), '5'],
          ]),
        ),
      ])
      const history = await store.history()
      expect(history.map((c) => c.version)).toEqual([1, 2, 3, 4])
      expect(history.flatMap((c) => c.names).sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
      expect((await store.history(1)).map((c) => c.version)).toEqual([4])
      const snap = await store.getAll()
      expect(snap.values.size).toBe(5)
      expect(history.at(-1)?.hash).toBe(snap.hash)
      await expect.poll(() => seen.length).toBe(4)
      controller.abort()
      await following
    })

    it('refuses an invalid parameter name (PARAMETER_INVALID)', async () => {
      const store = createParameterStore(cp)
      await expect(store.set('' as ParameterName, 'x')).rejects.toMatchObject({
        code: 'PARAMETER_INVALID',
      })
    })

    it('persists parameters (no TTL)', async () => {
      await createParameterStore(cp).set(pn('a'), '1')
      expect(await cp.pttl(cp.keys.parameters())).toBe(Number.POSITIVE_INFINITY)
    })

    it('appends logs, trims to maxLen and reads the most recent', async () => {
      const logs = createLogStream(cp, { maxLen: 5 })
      for (let i = 0; i < 8; i++) await logs.append(log(`m${i}`))
      expect((await logs.recent(100)).map((l) => l.entry.message)).toEqual([
        'm3',
        'm4',
        'm5',
        'm6',
        'm7',
      ])
      expect((await logs.recent(2)).map((l) => l.entry.message)).toEqual(['m6', 'm7'])
      await expect(logs.append({ ...log('x'), level: 'loud' as never })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
      })
    })

    it('follows logs from an id, woken by appends, skipping bad entries', async () => {
      const logs = createLogStream(cp)
      const first = await logs.append(log('before'))
      const controller = new AbortController()
      const got: LoggedEntry[] = []
      const following = (async () => {
        for await (const l of logs.follow({ signal: controller.signal, after: first })) got.push(l)
      })()
      await cp.xadd(cp.keys.logs(), { e: 'not json' })
      await logs.append(log('after', 'error'))
      await expect.poll(() => got.map((l) => l.entry.message)).toEqual(['after'])
      expect(got[0]?.entry.level).toBe('error')
      controller.abort()
      await following
    })
  })
}
