import { afterEach, describe, expect, it } from 'vitest'
import { type LiveSystem, startLiveSystem } from '../../harness/live-system.js'

let system: LiveSystem | undefined
afterEach(async () => {
  await system?.close()
  system = undefined
})

describe('controller status page', () => {
  it('is served at / and /status, and every API path its script reads answers JSON', async () => {
    system = await startLiveSystem({ frames: 5, rateHz: 0 })
    const base = system.controllerUrl
    for (const path of ['/', '/status']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const html = await res.text()
      expect(html).toContain('<script type="module" src="/status/status.js">')
      expect(html).toContain('href="/status/status.css"')
    }
    const script = await fetch(`${base}/status/status.js`)
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    const source = await script.text()
    const css = await fetch(`${base}/status/status.css`)
    expect(css.headers.get('content-type')).toMatch(/^text\/css/)
    expect((await fetch(`${base}/status/nope.js`)).status).toBe(404)

    const scanId = await system.startScan()
    await system.reducer.scanDone(scanId)
    const paths = [...source.matchAll(/json\('([^']+)'\)/g)].map((m) => m[1]!)
    // Progress first: it is public, the rest needs the token when the API has one.
    expect(paths).toEqual([
      '/api/v1/progress',
      '/api/v1/status',
      '/api/v1/config',
      '/api/v1/load?intervals=10',
      '/api/v1/parameters',
      '/api/v1/logs?count=100',
    ])
    const bodies: Record<string, unknown> = {}
    for (const path of paths) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(200)
      bodies[path] = await res.json()
    }
    // The fields the page draws, present after a scan of 5 frames (7 events with the wrap).
    expect(bodies['/api/v1/progress']).toEqual({
      last_assigned: 7,
      completed_events: 7,
      total_events: 7,
      finished: true,
      status: 'finished',
      // SpotWorker fails event 3 on purpose; the event has one stream, so it counts under it.
      failed_events: 1,
      failed_streams: { det: 1 },
    })
    expect(bodies['/api/v1/status']).toMatchObject({
      scan_id: scanId,
      scan_number: 1,
      status: 'finished',
      created_at: expect.any(String),
      ended_at: expect.any(String),
    })
    // What the page writes with: stop and parameters, both answered.
    const parameters = bodies['/api/v1/parameters'] as { name: string; dtype: string }[]
    expect(parameters.map((p) => [p.name, p.dtype])).toEqual([
      ['flip', 'bool'],
      ['gain', 'float'],
      ['label', 'str'],
    ])
    for (const file of ['api.js', 'scan-panel.js', 'parameter-form.js', 'rate-meter.js']) {
      expect((await fetch(`${base}/status/${file}`)).status, file).toBe(200)
    }
    const config = bodies['/api/v1/config'] as {
      workers: { name: string; state: string; tags: string[] }[]
      ingesters: { name: string; streams: string[] }[]
      reducer: { url: string }
    }
    expect(config.workers.map((w) => [w.name, w.tags])).toEqual([['metrics-worker', ['generic']]])
    expect(config.ingesters.map((i) => i.streams)).toEqual([['det']])
    expect(config.reducer.url).toBe(system.reducer.url)
    expect(bodies['/api/v1/load?intervals=10']).toHaveProperty('metrics-worker')
    expect(Array.isArray(bodies['/api/v1/logs?count=100'])).toBe(true)
  })
})
