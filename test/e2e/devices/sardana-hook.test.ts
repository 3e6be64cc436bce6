import { describe, expect, it, vi } from 'vitest'
import { startUp } from '../../../cli/up/start-up.js'
import { parseUpSpec } from '../../../cli/up/up-spec.js'
import { createSardanaSimulator } from '../../../ingesters/sardana/sardana-simulator.js'
import type { ScanId } from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'
import { freePort } from '../../harness/processes.js'
import type { DeviceSummaries } from './device-summary.js'

const SUMMARY = repoPath('test/e2e/devices/device-summary.ts')

/**
 * Sardana as beamlines deploy it with Dranspose: the pre-scan hook posts the scan description
 * to the controller (`/api/v1/sardana_hook`), which starts a uniform scan of `nb_points` over the
 * served streams; then the recorder posts `data_desc`, the records and `record_end` to the
 * Sardana ingester. Every record lands in its event; the records' motor positions are those of
 * the simulated `ascan mot01 0 1 n-1` (i/(n-1) for point i).
 */
describe('Sardana hook → controller, recorder → Sardana ingester', () => {
  it('a scan started by the hook gets the data description, every record and the end', async () => {
    const n = 5
    const url = `http://127.0.0.1:${await freePort()}`
    const system = await startUp(
      parseUpSpec(
        {
          worker: `${SUMMARY}:DeviceSummaryWorker`,
          reducer: `${SUMMARY}:DeviceSummaryReducer`,
          ingester: [{ device: 'sardana', stream: 'sardana', url }],
          frames: 1,
          port: 0,
          reducerPort: 0,
        },
        'sardana hook',
      ),
    )
    try {
      // Workers may still be registering (the controller answers 4xx then): ask again.
      const scanId = await vi.waitFor(
        async () => {
          const response = await fetch(`${system.controllerUrl}/api/v1/sardana_hook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ streams: ['sardana', 'not_served'], scan: { nb_points: n } }),
          })
          const body = (await response.json()) as unknown
          expect(response.status, JSON.stringify(body)).toBe(200)
          return body as ScanId
        },
        { timeout: 10_000, interval: 100 },
      )
      const recorder = createSardanaSimulator({ target: url, frames: n, rateHz: 50 })
      await recorder.start()
      await recorder.done
      await recorder.close()
      await system.reducer.scanDone(scanId)
      const events = (system.reducer.publish as { events: DeviceSummaries }).events
      expect(Object.keys(events)).toHaveLength(n + 2)
      expect(events['0']?.sardana?.kind).toBe('start')
      for (let i = 0; i < n; i++) {
        expect(events[String(i + 1)]?.sardana?.sums['values.point_nb']).toBe(i)
        expect(events[String(i + 1)]?.sardana?.sums['values.mot01']).toBeCloseTo(i / (n - 1), 12)
      }
      expect(events[String(n + 1)]?.sardana?.kind).toBe('end')
    } finally {
      await system.close()
    }
  })
})
