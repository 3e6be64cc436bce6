import { afterEach, describe, expect, it } from 'vitest'
import { type LiveSystem, startLiveSystem } from '../../harness/live-system.js'

let system: LiveSystem | undefined
afterEach(async () => {
  await system?.close()
  system = undefined
})

/** The value of one sample (`name` or `name{labels}`) in Prometheus text. */
function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  }
  throw new Error(`no ${series} in:\n${text}`)
}

async function scrape(url: string | undefined): Promise<string> {
  if (url === undefined) throw new Error('no metrics server')
  const res = await fetch(`${url}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  return res.text()
}

describe('worker and ingester metrics servers', () => {
  it('serve /metrics over HTTP with counters that move during a scan, and health probes', async () => {
    const frames = 40
    system = await startLiveSystem({ frames, rateHz: 40 })
    const { worker, ingester } = system
    for (const url of [worker.metricsUrl, ingester.metricsUrl]) {
      expect((await fetch(`${url}/health/live`)).status).toBe(200)
      expect((await fetch(`${url}/health/ready`)).status).toBe(200)
      expect((await fetch(`${url}/nope`)).status).toBe(404)
    }
    // The registry shows where to scrape: each process's `url`.
    const registered = await (await fetch(`${system.controllerUrl}/api/v1/config`)).text()
    expect(registered).toContain(worker.metricsUrl)
    expect(registered).toContain(ingester.metricsUrl)

    const scanId = await system.startScan()
    // Mid-scan: something was processed and forwarded, not yet everything (40 frames at 40 Hz).
    let midWorker = 0
    let midIngester = 0
    await expect
      .poll(async () => {
        midWorker = sample(await scrape(worker.metricsUrl), 'beamloom_worker_events_in_total')
        return midWorker
      })
      .toBeGreaterThan(0)
    midIngester = sample(
      await scrape(ingester.metricsUrl),
      'beamloom_ingester_frames_read_total{stream="det"}',
    )
    await system.reducer.scanDone(scanId)

    // Expected from the map alone: header, 40 images and the series end are 42 events (the
    // start/end wrap), one worker gets all; the analysis fails every event ending in 3.
    const total = frames + 2
    const failed = [...Array(total).keys()].filter((e) => e % 10 === 3).length
    const progress = await (await fetch(`${system.controllerUrl}/api/v1/progress`)).json()
    expect(progress).toMatchObject({ finished: true, total_events: total, completed_events: total })

    const w = await scrape(worker.metricsUrl)
    expect(sample(w, 'beamloom_worker_events_in_total')).toBe(total)
    expect(sample(w, 'beamloom_worker_events_processed_total')).toBe(total)
    expect(sample(w, 'beamloom_worker_events_failed_total')).toBe(failed)
    expect(sample(w, 'beamloom_worker_results_out_total')).toBe(total - failed)
    expect(sample(w, 'beamloom_worker_process_event_seconds_count')).toBe(total - failed)
    expect(sample(w, 'beamloom_worker_queue_depth{queue="ready"}')).toBe(0)
    expect(sample(w, 'beamloom_worker_result_batches_total')).toBeGreaterThan(0)
    expect(midWorker).toBeLessThan(total)

    const i = await scrape(ingester.metricsUrl)
    expect(sample(i, 'beamloom_ingester_frames_read_total{stream="det"}')).toBe(total)
    expect(sample(i, 'beamloom_ingester_frames_forwarded_total{stream="det"}')).toBe(total)
    expect(sample(i, 'beamloom_ingester_errors_total{stream="det"}')).toBe(0)
    expect(sample(i, 'beamloom_ingester_batches_sent_total')).toBeGreaterThan(0)
    // Devices are read into slabs of reused memory: at least one was allocated.
    expect(sample(i, 'beamloom_ingester_frame_slabs_allocated_total')).toBeGreaterThan(0)
    expect(sample(i, 'beamloom_ingester_frame_parts_oversize_total')).toBe(0)
    expect(midIngester).toBeLessThan(total)

    // The reducer's own metrics count what it reduced: results in, failures from workers.
    const r = await (await fetch(`${system.reducer.url}/metrics`)).text()
    expect(sample(r, 'beamloom_reducer_items_total{outcome="result"}')).toBe(total - failed)
    expect(sample(r, 'beamloom_reducer_items_total{outcome="failed"}')).toBe(failed)
    expect(system.reducer.publish).toMatchObject({ count: total - failed })

    // The controller's: events out to workers and back complete, nothing outstanding.
    const c = await (await fetch(`${system.controllerUrl}/metrics`)).text()
    expect(sample(c, 'beamloom_controller_events_completed_total')).toBe(total)
    expect(sample(c, 'beamloom_controller_events_failed_total')).toBe(failed)
    expect(sample(c, 'beamloom_controller_scan_events_total')).toBe(total)
    expect(sample(c, 'beamloom_controller_events_outstanding')).toBe(0)

    await worker.close()
    await ingester.close()
    await expect(fetch(`${worker.metricsUrl}/metrics`)).rejects.toThrow()
  })
})
