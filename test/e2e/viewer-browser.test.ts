import { mkdir } from 'node:fs/promises'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { repoPath } from '../harness/fixtures.js'
import { type LiveSystem, startLiveSystem } from '../harness/live-system.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

let system: LiveSystem | undefined
let browser: Browser | undefined
afterEach(async () => {
  await browser?.close()
  await system?.close()
  browser = undefined
  system = undefined
})

/** What a canvas shows: how many pixels are drawn in colour, and a digest of all pixels. */
interface CanvasLook {
  readonly draws: number
  readonly coloured: number
  readonly digest: number
}

/** The parts of a canvas element `look` reads. */
interface CanvasLike {
  readonly width: number
  readonly height: number
  readonly dataset: Record<string, string | undefined>
  getContext(type: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
  } | null
}

/** Read a canvas of the viewer by its class (`plot` or `image`) in the page. */
function look(page: Page, kind: 'plot' | 'image'): Promise<CanvasLook | null> {
  return page.evaluate((cls) => {
    // Runs in the page; the DOM types are spelled out because the tests compile without lib.dom.
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
      .document
    const canvas = doc.querySelector(`canvas.${cls}`) as CanvasLike | null
    if (canvas === null) return null
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    let coloured = 0
    let digest = 0
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!
      const g = data[i + 1]!
      const b = data[i + 2]!
      // Colour, not white, grey or black: the plotted line (blue) or the colour-mapped image.
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++
      digest = (Math.imul(digest, 31) + r * 65_536 + g * 256 + b) | 0
    }
    return { draws: Number(canvas.dataset.draws ?? 0), coloured, digest }
  }, kind)
}

describe('live viewer in headless Chromium', () => {
  it('draws the 1-D plot and the 2-D image and redraws them as results arrive', async () => {
    const frames = 100
    system = await startLiveSystem({ frames, rateHz: 20 })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    await page.goto(`${system.reducer.url}/viewer?show=trace,image`)

    const scanId = await system.startScan()
    // Both canvases appear and are drawn in colour while the scan runs.
    let first: { plot: CanvasLook; image: CanvasLook; reduced: number } | undefined
    await expect
      .poll(
        async () => {
          const plot = await look(page, 'plot')
          const image = await look(page, 'image')
          if (plot === null || image === null || plot.coloured === 0 || image.coloured === 0) {
            return false
          }
          first = { plot, image, reduced: (system!.reducer.publish as { count: number }).count }
          return true
        },
        { timeout: 20_000 },
      )
      .toBe(true)
    const total = frames + 2
    const results = [...Array(total).keys()].filter((e) => e % 10 !== 3).length
    // Seen before the last result was reduced: the page is live, not drawn once at the end.
    expect(first!.reduced).toBeLessThan(results)

    // Later: both were redrawn, and their pixels differ from the first look.
    await expect
      .poll(
        async () => {
          const plot = await look(page, 'plot')
          const image = await look(page, 'image')
          return (
            plot !== null &&
            image !== null &&
            plot.draws > first!.plot.draws &&
            image.draws > first!.image.draws &&
            plot.digest !== first!.plot.digest &&
            image.digest !== first!.image.digest
          )
        },
        { timeout: 20_000 },
      )
      .toBe(true)

    await system.reducer.scanDone(scanId)
    // After the scan the page settles on the final data: the plot holds every result.
    const trace = (system.reducer.publish as { trace: number[] }).trace
    expect(trace).toHaveLength(results)
    await expect
      .poll(() => page.locator('canvas.plot').getAttribute('data-length'))
      .toBe(String(results))
    await expect
      .poll(() => page.locator('button[data-path="trace"] .shape').textContent())
      .toBe(String(results))
    const last = await look(page, 'image')
    expect(last!.draws).toBeGreaterThan(2)
    await mkdir(repoPath('test-results'), { recursive: true })
    await page.screenshot({ path: repoPath('test-results/viewer.png'), fullPage: true })
    expect(pageErrors).toEqual([])
  })

  it("the controller's status page shows the scan's progress, the worker and the logs", async () => {
    const frames = 20
    system = await startLiveSystem({ frames, rateHz: 0 })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    await page.goto(`${system.controllerUrl}/`)
    const scanId = await system.startScan()
    await system.reducer.scanDone(scanId)
    const total = frames + 2
    await expect
      .poll(() => page.locator('#progress-text').textContent())
      .toContain(`${total} / ${total} events complete (100.0 %)`)
    await expect.poll(() => page.locator('#scan').textContent()).toContain(`scan ${scanId}`)
    // The worker's row: name, state, tags, and the scan's events it completed (all of them).
    await expect
      .poll(async () => (await page.locator('#workers tbody tr').first().textContent()) ?? '')
      .toMatch(new RegExp(`^metrics-worker(idle|in-scan)generic${total}`))
    // The worker's failures (every event ending in 3) reach the page through the log stream.
    await expect.poll(() => page.locator('#logs').textContent()).toContain('fails on purpose')
    await expect
      .poll(() => page.locator('#viewer').getAttribute('href'))
      .toBe(`${system.reducer.url}/viewer`)
    await mkdir(repoPath('test-results'), { recursive: true })
    await page.screenshot({ path: repoPath('test-results/status.png'), fullPage: true })
    expect(pageErrors).toEqual([])
  })
})
