import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Page } from 'playwright-core'
import { repoPath } from './fixtures.js'

/** What a canvas shows: how many pixels are drawn in colour, and a digest of all pixels. */
export interface CanvasLook {
  readonly coloured: number
  readonly digest: number
}

/** The parts of a canvas element {@link pagePixels} reads. */
interface CanvasLike {
  readonly width: number
  readonly height: number
  getContext(type: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
  } | null
}

/** Read the first canvas matching `selector` in the page (null when there is none). */
export function pagePixels(page: Page, selector: string): Promise<CanvasLook> {
  return page.evaluate((sel) => {
    // Runs in the page; the DOM types are spelled out because the tests compile without lib.dom.
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
      .document
    const canvas = doc.querySelector(sel) as CanvasLike | null
    if (canvas === null) return { coloured: 0, digest: 0 }
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    let coloured = 0
    let digest = 0
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!
      const g = data[i + 1]!
      const b = data[i + 2]!
      // Colour, not white, grey or black: a plotted line or the colour-mapped image.
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++
      digest = (Math.imul(digest, 31) + r * 65_536 + g * 256 + b) | 0
    }
    return { coloured, digest }
  }, selector)
}

/**
 * Keep a screenshot of the page as a test artifact (`test-results/<name>`); with
 * `BEAMLOOM_DOC_SCREENSHOTS=1` also as the documentation's image (`docs/images/<name>` as a
 * JPEG, small), which is how the README's pictures are made.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const path = repoPath(`test-results/${name}`)
  await mkdir(dirname(path), { recursive: true })
  await page.screenshot({ path, fullPage: true })
  if (process.env.BEAMLOOM_DOC_SCREENSHOTS !== '1') return
  const doc = repoPath(`docs/images/${name.replace(/\.png$/, '.jpg')}`)
  await mkdir(dirname(doc), { recursive: true })
  await page.screenshot({ path: doc, type: 'jpeg', quality: 70 })
}
