import { describe, expect, it } from 'vitest'
import { type WorkerCounts, WorkerMetrics } from '../../../workers/worker-metrics.js'

const counts = (failedByStream: Record<string, number>): WorkerCounts => ({
  processed: 0,
  results: 0,
  failed: Object.values(failedByStream).reduce((a, b) => a + b, 0),
  duplicates: 0,
  batchesSent: 0,
  failedByStream,
})

describe('worker metrics: failed events per stream', () => {
  it('adds the scan in hand to the scans that ended, per stream', async () => {
    let current: WorkerCounts | undefined = counts({ em: 2 })
    const metrics = new WorkerMetrics({
      current: () => current,
      queueDepth: () => ({ ready: 0, assembling: 0 }),
      droppedBatches: () => 0,
    })
    metrics.scanEnded(counts({ em: 2 }))
    current = counts({ em: 1, eiger: 3 })
    const text = await metrics.registry.metrics()
    expect(text).toMatch(/^beamloom_worker_stream_events_failed_total\{stream="em"\} 3$/m)
    expect(text).toMatch(/^beamloom_worker_stream_events_failed_total\{stream="eiger"\} 3$/m)
    expect(text).toMatch(/^beamloom_worker_events_failed_total 6$/m)
  })
})
