import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PublishUpdate } from '../../../reducer/updates/update-hub.js'
import { SseReader } from '../../harness/sse-reader.js'
import {
  expectNoErrors,
  FakeController,
  FakeWorker,
  items,
  memoryPlane,
  Scope,
  startReducer,
} from './harness.js'

const scope = new Scope()
afterEach(() => scope.cleanup())

/** The top-level keys SumReducer (test-reducers.ts) publishes, in its declaration order. */
const SUM_PATHS = [
  'sum',
  'seen',
  'scale',
  'timerCalls',
  'finished',
  'instance',
  'image',
  'nested',
  'nested_attrs',
]

describe('reducer push updates (GET /api/v1/updates)', () => {
  it('streams which paths changed while a scan runs, over real HTTP', async () => {
    const plane = await memoryPlane(scope)
    const { reducer, log } = await startReducer(scope, plane, { updatesThrottleMs: 50 })
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))

    const sse = new SseReader(`${reducer.url}/api/v1/updates`)
    scope.add({ close: async () => sse.close() })
    const res = await sse.response
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await vi.waitFor(() => expect(sse.updates<PublishUpdate>().length).toBeGreaterThan(0))
    const first = sse.updates<PublishUpdate>()[0]!
    expect(first.paths).toEqual(SUM_PATHS)
    expect(first.changed).toEqual(SUM_PATHS)

    const worker = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    await worker.send(
      scan,
      items(0, 5, 0).map((i) => ({ ...i, value: 2 })),
    )
    // An update names `sum` once the results are reduced; the value read after it is theirs.
    await vi.waitFor(() => {
      const seen = sse.updates<PublishUpdate>().slice(1)
      expect(seen.some((u) => u.changed.includes('sum') && u.changed.includes('seen'))).toBe(true)
      expect(reducer.status().scan?.reduced).toBe(5)
    })
    await vi.waitFor(async () => {
      const sum = await (await fetch(`${reducer.url}/api/v1/result/sum`)).json()
      expect(sum).toBe(10)
    })
    const ups = sse.updates<PublishUpdate>()
    // Sequence numbers only grow; versions of a path never go back.
    for (let i = 1; i < ups.length; i++) {
      expect(ups[i]!.seq).toBeGreaterThan(ups[i - 1]!.seq)
      expect(ups[i]!.versions.sum!).toBeGreaterThanOrEqual(ups[i - 1]!.versions.sum!)
    }
    expect(ups.at(-1)!.versions.sum).toBeGreaterThan(1)

    // `finish` runs through the same lane: its change is pushed too.
    const before = sse.events.length
    await controller.finish(scan)
    await vi.waitFor(() => {
      const later = sse.updates<PublishUpdate>().slice(before)
      expect(later.some((u) => u.changed.includes('finished'))).toBe(true)
    })
    expect(reducer.publish).toMatchObject({ finished: true, sum: 10 })
    expectNoErrors(log)
  })

  it('ends open streams when the reducer closes', async () => {
    const plane = await memoryPlane(scope)
    const { reducer } = await startReducer(scope, plane, { updatesThrottleMs: 50 })
    const sse = new SseReader(`${reducer.url}/api/v1/updates`)
    await vi.waitFor(() => expect(sse.updates<PublishUpdate>()).toHaveLength(1))
    // Before the first scan `publish` is empty.
    expect(sse.updates<PublishUpdate>()[0]).toMatchObject({ paths: [], changed: [] })
    expect(reducer.updates.clientCount).toBe(1)
    const metrics = await (await fetch(`${reducer.url}/metrics`)).text()
    expect(metrics).toMatch(/^beamloom_reducer_update_clients 1$/m)
    await reducer.close()
    await sse.ended
    expect(reducer.updates.clientCount).toBe(0)
  })
})

describe('reducer viewer page', () => {
  it('serves the page, every script it imports, and the outline of publish', async () => {
    const plane = await memoryPlane(scope)
    const { reducer } = await startReducer(scope, plane)
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))

    const page = await fetch(`${reducer.url}/viewer`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await page.text()
    expect(html).toContain('<script type="module" src="/viewer/viewer.js">')
    expect(html).toContain('href="/viewer/viewer.css"')
    // Follow the module graph from viewer.js: every import is served as JavaScript.
    const pending = ['viewer.js']
    const served = new Set<string>()
    while (pending.length > 0) {
      const file = pending.pop()!
      if (served.has(file)) continue
      const res = await fetch(`${reducer.url}/viewer/${file}`)
      expect(res.status, file).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
      served.add(file)
      const source = await res.text()
      const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : ''
      for (const m of source.matchAll(/from '\.\/([\w/.-]+\.js)'/g)) pending.push(dir + m[1]!)
    }
    // The libraries come from their packages (cbor-x's browser decoder, uPlot), not the page.
    expect([...served].sort()).toEqual([
      'axes.js',
      'colormap.js',
      'data.js',
      'image-plot.js',
      'line-plot.js',
      'nxdata.js',
      'scan-status.js',
      'tree.js',
      'vendor/cbor-x.js',
      'vendor/uplot.js',
      'viewer.js',
    ])
    expect(html).toContain('href="/viewer/vendor/uplot.css"')
    expect((await fetch(`${reducer.url}/viewer/vendor/uplot.css`)).status).toBe(200)
    expect((await fetch(`${reducer.url}/viewer/viewer.css`)).headers.get('content-type')).toMatch(
      /^text\/css/,
    )
    expect((await fetch(`${reducer.url}/viewer/nope.js`)).status).toBe(404)

    // `/` is the viewer for a browser, and stays JSON (HDF5-REST) for everyone else.
    const browser = await fetch(`${reducer.url}/?show=sum`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    })
    expect(browser.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await browser.text()).toBe(html)
    const client = await fetch(`${reducer.url}/`, { headers: { accept: 'application/json' } })
    expect(client.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await client.json()).toHaveProperty('root')
    const plain = await fetch(`${reducer.url}/`)
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/)

    const outline = await (await fetch(`${reducer.url}/api/v1/outline`)).json()
    expect(outline).toMatchObject({
      kind: 'group',
      children: {
        sum: { kind: 'number' },
        seen: { kind: 'list', length: 0 },
        finished: { kind: 'boolean' },
        image: { kind: 'array', shape: [3] },
        // `nested_attrs` is the attributes of `nested`, not a child of its own.
        nested: {
          kind: 'group',
          children: { deep: { kind: 'group' } },
          attrs: { NX_class: 'NXdata' },
        },
      },
    })
    expect((outline as { children: object }).children).not.toHaveProperty('nested_attrs')
  })
})
