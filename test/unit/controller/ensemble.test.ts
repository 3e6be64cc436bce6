import { describe, expect, it } from 'vitest'
import type { ProcessInfo } from '../../../src/control/process-info.js'
import { buildEnsemble } from '../../../src/controller/ensemble.js'

const info = (role: ProcessInfo['role'], name: string, extra: Partial<ProcessInfo> = {}) =>
  ({
    role,
    name,
    instanceId: `${name}-1`,
    tags: [],
    startedAt: 0,
    pid: 1,
    host: 'h',
    heartbeatMs: 1000,
    ...extra,
  }) satisfies ProcessInfo

const ctx = {
  scanId: undefined,
  scanStreams: new Set<string>(),
  scanWorkers: new Map<string, string>(),
  processed: new Map<string, number>(),
  version: '0.1.0',
  parametersVersion: 0,
  parametersHash: 'h',
}

describe("the ensemble's workers list their ingester links (Dranspose's `ingesters`)", () => {
  it('lists, per worker, the live ingesters it is linked to, as they appear in `ingesters`', () => {
    const ensemble = buildEnsemble(
      [
        info('ingester', 'eiger-ingester', { streams: ['eiger'] }),
        info('ingester', 'orca-ingester', { streams: ['orca'] }),
        info('worker', 'w1', {
          tags: ['generic'],
          ingesters: [
            { name: 'eiger-ingester', instanceId: 'eiger-ingester-1' },
            { name: 'orca-ingester', instanceId: 'orca-ingester-1' },
          ],
        }),
        info('worker', 'w2', {
          tags: ['generic'],
          ingesters: [{ name: 'eiger-ingester', instanceId: 'eiger-ingester-1' }],
        }),
        info('worker', 'w3', { tags: ['generic'] }),
      ],
      ctx,
    )
    const [eiger, orca] = ensemble.ingesters
    const links = Object.fromEntries(ensemble.workers.map((w) => [w.name, w.ingesters]))
    expect(links.w1).toEqual([eiger, orca])
    expect(links.w2).toEqual([eiger])
    expect(links.w3).toEqual([])
    // How a Dranspose client decides a stream is available: every worker reaches its ingester.
    const available = (stream: string) =>
      ensemble.workers.every((w) => w.ingesters?.some((i) => i.streams?.includes(stream)))
    expect(available('eiger')).toBe(false)
  })

  it('drops links to an ingester that left or was restarted (another instance)', () => {
    const ensemble = buildEnsemble(
      [
        info('ingester', 'eiger-ingester', { instanceId: 'eiger-ingester-2', streams: ['eiger'] }),
        info('worker', 'w1', {
          ingesters: [
            { name: 'eiger-ingester', instanceId: 'eiger-ingester-1' },
            { name: 'gone-ingester', instanceId: 'gone-1' },
          ],
        }),
      ],
      ctx,
    )
    expect(ensemble.workers[0]?.ingesters).toEqual([])
  })
})
