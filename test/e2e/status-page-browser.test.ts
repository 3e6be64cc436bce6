import { type Browser, chromium, type Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { type LiveSystem, startLiveSystem } from '../harness/live-system.js'
import { screenshot } from '../harness/page-pixels.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const TOKEN = 'beamline-s3cret'

let system: LiveSystem | undefined
let browser: Browser | undefined
afterEach(async () => {
  const [b, s] = [browser, system]
  browser = undefined
  system = undefined
  await b?.close()
  await s?.close()
})

async function open(url: string, errors: string[]): Promise<Page> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(url)
  return page
}

const text = (page: Page, selector: string) => () => page.locator(selector).textContent()

describe("the controller's status page in headless Chromium", () => {
  it('shows the scan by number and name, its time, rate, time left and failures per stream', async () => {
    // Six seconds at 20 frames/s: time to see it running.
    const frames = 120
    system = await startLiveSystem({ frames, rateHz: 20, scanName: 'mesh sx sy' })
    const errors: string[] = []
    const page = await open(`${system.controllerUrl}/`, errors)
    const scanId = await system.startScan()
    await expect.poll(text(page, '#scan-title')).toBe('scan 1 · mesh sx sy')
    await expect.poll(text(page, '#scan-id')).toBe(scanId)
    await expect.poll(text(page, '#scan-state')).toBe('running')
    // While it runs: a rate that is a rate, and a time left.
    await expect.poll(text(page, '#rate'), { timeout: 20_000 }).toMatch(/^\d+(\.\d+)?\/s$/)
    await expect.poll(text(page, '#eta')).toMatch(/^\d+ (s|min)/)
    await expect.poll(text(page, '#elapsed')).toMatch(/^\d+ s$/)
    expect(await page.locator('#stop').isEnabled()).toBe(true)

    await system.reducer.scanDone(scanId)
    const total = frames + 2
    const failed = [...Array(total).keys()].filter((e) => e % 10 === 3).length
    await expect.poll(text(page, '#progress-text')).toContain(`${total} / ${total} events complete`)
    await expect.poll(text(page, '#scan-state')).toBe('finished')
    // Every failed event had one stream, `det`: counted under it.
    await expect.poll(text(page, '#failures')).toBe(`${failed} (det: ${failed})`)
    await expect.poll(text(page, '#eta')).toBe('—')
    expect(await page.locator('#stop').isEnabled()).toBe(false)
    await expect
      .poll(async () => (await page.locator('#workers tbody tr').first().textContent()) ?? '')
      .toMatch(new RegExp(`^metrics-worker(idle|in-scan)generic${total}`))
    await expect.poll(text(page, '#logs')).toContain('fails on purpose')
    await expect
      .poll(() => page.locator('#viewer').getAttribute('href'))
      .toBe(`${system.reducer.url}/viewer`)
    await screenshot(page, 'status.png')
    expect(errors).toEqual([])
  })

  it('stops the running scan with the token, and both pages say stopped with the reason', async () => {
    // A slow scan: it runs for a minute unless stopped.
    system = await startLiveSystem({ frames: 600, rateHz: 10, token: TOKEN })
    const errors: string[] = []
    const page = await open(`${system.controllerUrl}/`, errors)
    const scanId = await system.startScan()
    // Without the token the page shows the progress (public) and says the rest needs it.
    await expect.poll(text(page, '#scan-state')).toBe('running')
    await expect.poll(text(page, '#updated')).toMatch(/needs its token/)
    // Without the token the API refuses, and the page says why.
    await page.locator('#stop').click()
    await expect.poll(text(page, '#action')).toMatch(/^stop refused \(HTTP 401\): a valid token/)
    await expect.poll(text(page, '#scan-state')).toBe('running')
    await page.locator('#token').fill(TOKEN)
    await page.locator('#token').press('Enter')
    await page.locator('#token').blur()
    await expect.poll(() => page.locator('#stop').isEnabled()).toBe(true)
    await page.locator('#stop').click()
    await expect.poll(text(page, '#scan-state')).toBe('stopped: stopped by operator')
    await expect.poll(text(page, '#action')).toBe('stop requested')
    // The reducer's scan ended too, and its viewer says how.
    await system.reducer.scanDone(scanId)
    const viewer = await open(`${system.reducer.url}/viewer`, errors)
    await expect.poll(text(viewer, '#scan .badge')).toBe('stopped: stopped by operator')
    // Never "finished" for a stopped scan.
    expect(await page.locator('#scan').textContent()).not.toContain('finished')
    expect(errors).toEqual([])
  })

  it('sets parameters through a form typed by their descriptions, refused values explained', async () => {
    system = await startLiveSystem({ frames: 5, rateHz: 0, token: TOKEN })
    const errors: string[] = []
    const page = await open(`${system.controllerUrl}/`, errors)
    const input = (name: string) => page.locator(`input[data-parameter="${name}"]`)
    // The descriptions are behind the token too.
    await page.locator('#token').fill(TOKEN)
    await page.locator('#token').blur()
    await expect.poll(() => input('gain').getAttribute('type')).toBe('number')
    expect(await input('gain').getAttribute('min')).toBe('0')
    expect(await input('gain').inputValue()).toBe('1')
    expect(await input('flip').getAttribute('type')).toBe('checkbox')
    expect(await input('label').getAttribute('type')).toBe('text')
    const row = (name: string) =>
      page.locator('#parameters tr', { has: page.locator(`input[data-parameter="${name}"]`) })
    // Below its minimum: the controller refuses it and the page shows the reason.
    await input('gain').fill('-1')
    await row('gain').locator('button').click()
    await expect
      .poll(() => row('gain').locator('.said').textContent())
      .toMatch(/refused \(HTTP 400\): parameter 'gain' \(float\): -1 < min 0/)
    await input('gain').fill('2.5')
    await row('gain').locator('button').click()
    await expect.poll(() => row('gain').locator('.said').textContent()).toBe('set')
    await input('flip').check()
    await row('flip').locator('button').click()
    await expect.poll(() => row('flip').locator('.said').textContent()).toBe('set')
    // What the controller holds now, read back without the page.
    const value = async (name: string) =>
      (
        await fetch(`${system!.controllerUrl}/api/v1/parameter/${name}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).text()
    expect(await value('gain')).toBe('2.5')
    expect(await value('flip')).toBe('True')
    await expect.poll(() => row('gain').locator('td.current').textContent()).toBe('2.5')
    // The worker computes with them: a scan's values are flipped and scaled.
    const scanId = await system.startScan()
    await system.reducer.scanDone(scanId)
    const signal = (
      system.reducer.publish as { signal: { value: number[]; event_number: number[] } }
    ).signal
    for (const [i, e] of signal.event_number.entries()) {
      expect(signal.value[i]).toBeCloseTo(-2.5 * Math.sin(e / 4), 12)
    }
    expect(errors).toEqual([])
  })
})
