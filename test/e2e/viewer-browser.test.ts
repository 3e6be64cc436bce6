import type { FastifyInstance } from 'fastify'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { buildReducerApp, ReducerMetrics, type ScanMetadata } from '../../reducer/index.js'
import { type LiveSystem, startLiveSystem } from '../harness/live-system.js'
import { pagePixels, screenshot } from '../harness/page-pixels.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let system: LiveSystem | undefined
let server: FastifyInstance | undefined
let browser: Browser | undefined
afterEach(async () => {
  await browser?.close()
  await system?.close()
  await server?.close()
  browser = undefined
  system = undefined
  server = undefined
})

async function open(url: string, errors: string[]): Promise<Page> {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(url)
  return page
}

const panel = (page: Page, path: string) => page.locator(`.panel[data-path="${path}"]`)

describe('live viewer in headless Chromium', () => {
  it('opens the default NXdata plot against its axis, redraws it live, and tells when the scan ended', async () => {
    const frames = 100
    system = await startLiveSystem({ frames, rateHz: 20, scanName: 'viewer test' })
    const errors: string[] = []
    const page = await open(`${system.reducer.url}/viewer`, errors)
    const scanId = await system.startScan()
    // Nothing asked for: the default NXdata (`signal`) opens, drawn against its axis.
    const signal = panel(page, 'signal')
    await expect.poll(() => signal.getAttribute('data-kind'), { timeout: 20_000 }).toBe('line')
    // The series' labels (the axes are drawn with the same text): long names with units.
    const labels = () =>
      page.locator('.panel[data-path="signal"] .u-legend .u-label').allTextContents()
    await expect.poll(labels).toEqual(['event number', 'spot value (V)'])
    await expect.poll(() => page.locator('#scan .badge').textContent()).toBe('running')
    await expect
      .poll(() => page.locator('#scan .scan-name').textContent())
      .toBe('scan 1 · viewer test')
    const firstDraws = Number(await signal.getAttribute('data-draws'))
    const reducedThen = (system.reducer.publish as { count: number }).count

    // Several plots side by side: the image opens beside the line plot.
    await page.locator('nav button[data-path="spots"]').click()
    const spots = panel(page, 'spots')
    await expect.poll(() => spots.getAttribute('data-kind')).toBe('image')
    const a = await signal.boundingBox()
    const b = await spots.boundingBox()
    expect(b!.y).toBeCloseTo(a!.y, 0)
    expect(b!.x).toBeGreaterThan(a!.x + a!.width - 1)
    // Attributes are attributes: no `_attrs` entries in the tree; units listed with their node.
    expect(await page.locator('nav').textContent()).not.toContain('_attrs')
    await expect.poll(() => page.locator('nav details.attrs dd').allTextContents()).toContain('V')

    await system.reducer.scanDone(scanId)
    const total = frames + 2
    const results = [...Array(total).keys()].filter((e) => e % 10 !== 3).length
    // Redrawn while the scan ran (seen before it ended), settled on every result after.
    expect(reducedThen).toBeLessThan(results)
    await expect.poll(() => signal.getAttribute('data-length')).toBe(String(results))
    await expect
      .poll(() => page.locator('nav button[data-path="signal/value"] .shape').textContent())
      .toBe(String(results))
    expect(Number(await signal.getAttribute('data-draws'))).toBeGreaterThan(firstDraws)
    await expect.poll(() => page.locator('#scan .badge').textContent()).toBe('finished')
    await screenshot(page, 'viewer.png')
    expect(errors).toEqual([])
  })
})

/** A reducer API with fixed data and a stopped scan: for the plots' interactions. */
async function fixedServer(): Promise<string> {
  const n = 200
  const events = Array.from({ length: n }, (_, i) => i * 2)
  const sx = [-2, -2 / 3, 2 / 3, 2]
  const sy = [-2, -1, 0, 1, 2]
  const metadata: ScanMetadata = {
    status: 'stopped',
    reason: 'stopped by operator',
    scanNumber: 7,
    workers: [],
    sources: [],
  }
  server = buildReducerApp({
    publish: {
      roi: {
        // Alternating values: drawn with markers at the points, not as a solid block.
        mean: events.map((e) => (e % 4 === 0 ? 1 : 5) + e / 100),
        event_number: events,
        mean_attrs: { units: 'counts', long_name: 'ROI mean' },
      },
      roi_attrs: { NX_class: 'NXdata', signal: 'mean', axes: ['event_number'] },
      fluorescence: {
        map: sy.map((y) => sx.map((x) => 10 ** (1 + (x + 2) / 2) + y)),
        sx,
        sy,
        sx_attrs: { units: 'um' },
        sy_attrs: { units: 'um' },
        map_attrs: { units: 'counts' },
      },
      fluorescence_attrs: { NX_class: 'NXdata', signal: 'map', axes: ['sy', 'sx'] },
    },
    ready: true,
    state: 'running',
    metrics: new ReducerMetrics(() => 0),
    metadata: () => metadata,
    status: () => ({
      name: 'fixed',
      state: 'running',
      ready: true,
      module: 'm.ts:M',
      queueDepth: 0,
      parametersVersion: 0,
      scan: null,
    }),
  })
  await server.listen({ host: '127.0.0.1', port: 0 })
  const address = server.server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

describe('viewer plots in headless Chromium', () => {
  it('zooms, pans, reads out the cursor and places markers on a line plot', async () => {
    const errors: string[] = []
    const page = await open(`${await fixedServer()}/viewer?show=roi`, errors)
    const roi = panel(page, 'roi')
    await expect.poll(() => roi.getAttribute('data-kind')).toBe('line')
    await expect
      .poll(() => page.locator('#scan .badge').textContent())
      .toBe('stopped: stopped by operator')
    const body = page.locator('.panel[data-path="roi"] .panel-body')
    const range = async () => (await body.getAttribute('data-x-range'))?.split(',').map(Number)
    await expect.poll(range).toEqual([0, 398])
    const over = page.locator('.panel[data-path="roi"] .u-over')
    const box = (await over.boundingBox())!
    // Drag to zoom on x.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect.poll(async () => (await range())![1]! - (await range())![0]!).toBeLessThan(150)
    const zoomed = (await range())!
    // Shift-drag pans: the range moves, its width stays.
    await page.keyboard.down('Shift')
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await page.keyboard.up('Shift')
    await expect.poll(async () => (await range())![0]).toBeGreaterThan(zoomed[0]! + 1)
    const panned = (await range())!
    expect(panned[1]! - panned[0]!).toBeCloseTo(zoomed[1]! - zoomed[0]!, 6)
    // Double click: everything again.
    await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } })
    await expect.poll(range).toEqual([0, 398])
    // The cursor's values in the legend; a click places a marker there.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const legend = page.locator('.panel[data-path="roi"] .u-legend .u-value')
    await expect
      .poll(async () => (await legend.allTextContents()).every((t) => /\d/.test(t)))
      .toBe(true)
    const [x, y] = (await legend.allTextContents()).map(Number)
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await expect
      .poll(() => page.locator('.panel[data-path="roi"] .markers li').allTextContents())
      .toEqual([`event_number = ${x}, ROI mean (counts) = ${y} ×`])
    await screenshot(page, 'viewer-line.png')
    expect(errors).toEqual([])
  })

  it('draws an image on its axes with the aspect of the data, a colour bar beside it, linear and log', async () => {
    const errors: string[] = []
    const page = await open(`${await fixedServer()}/viewer?show=fluorescence`, errors)
    const map = panel(page, 'fluorescence')
    await expect.poll(() => map.getAttribute('data-kind')).toBe('image')
    const canvas = page.locator('.panel[data-path="fluorescence"] canvas.image')
    const size = (await canvas.boundingBox())!
    // 4 columns 4/3 µm apart by 5 rows 1 µm apart: the image is as wide as it is high (±1 px),
    // plus the fixed margins, colour bar and labels.
    const linear = await pagePixels(page, '.panel[data-path="fluorescence"] canvas.image')
    expect(linear.coloured).toBeGreaterThan(1000)
    const frame = await canvas.evaluate((c) => ({
      w: (c as unknown as { clientWidth: number }).clientWidth,
      h: (c as unknown as { clientHeight: number }).clientHeight,
    }))
    const imageW = frame!.w - 64 - 8 - 10 - 14 - 64
    const imageH = frame!.h - 8 - 44
    expect(Math.abs(imageW - imageH * ((4 * 4) / 3 / 5))).toBeLessThan(2)
    expect(size.height).toBeGreaterThan(100)
    // The value under the cursor, with the axes' values.
    await page.mouse.move(size.x + 64 + 2, size.y + 8 + imageH - 2)
    await expect
      .poll(() => page.locator('.panel[data-path="fluorescence"] .readout').textContent())
      .toBe('sx (um) = -2, sy (um) = -2, map (counts) = 8')
    // Log colour scale: other colours for the same data.
    await page.locator('.panel[data-path="fluorescence"] select.colour-scale').selectOption('log')
    await expect
      .poll(
        async () =>
          (await pagePixels(page, '.panel[data-path="fluorescence"] canvas.image')).digest,
      )
      .not.toBe(linear.digest)
    await screenshot(page, 'viewer-image.png')
    expect(errors).toEqual([])
  })
})
