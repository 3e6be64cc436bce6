import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDeviceScan } from '../../harness/device-scan.js'

/**
 * A slow, sparse stream and a fast one serve one scan under one trigger map: the Sardana
 * simulator posts a few records over HTTP into its (listening) ingester at 20 records/s, while
 * a STINS simulator pushes images as fast as they are taken. The records' motor positions are
 * those of the simulated `ascan mot01 0 1 n-1`: i/(n-1) for point i.
 */
describe('slow + fast: Sardana and STINS under one trigger map', () => {
  it('every event carries both streams: the Sardana record and the STINS image of that point', async () => {
    const n = 6
    const { events, progress } = await runDeviceScan({
      simulate: [
        { device: 'sardana', stream: 'sardana', frames: n, rateHz: 20 },
        { device: 'stins', stream: 'cam', frames: n, shape: [8, 8] },
      ],
      frames: n,
    })
    expect(progress).toMatchObject({ finished: true, total_events: n + 2, completed_events: n + 2 })
    expect(events['0']?.sardana?.kind).toBe('start')
    expect(events['0']?.sardana?.strings.title).toBe(`ascan mot01 0.0 1.0 ${n - 1} 0.1`)
    expect(events['0']?.cam?.kind).toBe('start')
    for (let i = 0; i < n; i++) {
      const event = events[String(i + 1)]
      expect(Object.keys(event ?? {}).sort(), `event ${i + 1}`).toEqual(['cam', 'sardana'])
      expect(event?.sardana?.kind).toBe('data')
      expect(event?.sardana?.sums['values.point_nb']).toBe(i)
      expect(event?.sardana?.sums['values.mot01']).toBeCloseTo(i / (n - 1), 12)
      expect(event?.cam?.kind).toBe('data')
      expect(event?.cam?.sums.frame).toBe(i)
      expect(event?.cam?.lengths.data).toBe(64)
    }
    expect(events[String(n + 1)]?.sardana?.kind).toBe('end')
    expect(events[String(n + 1)]?.cam?.kind).toBe('end')
  })

  it('a sparse map: a Sardana record every fourth image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-slow-fast-'))
    try {
      const images = 12
      const map = {
        cam: Array.from({ length: images }, (_, i) => [{ constraint: i }]),
        sardana: Array.from({ length: images }, (_, i) =>
          i % 4 === 3 ? [{ constraint: i }] : null,
        ),
      }
      const file = join(dir, 'map.json')
      await writeFile(file, JSON.stringify(map))
      const { events, progress } = await runDeviceScan({
        simulate: [
          { device: 'sardana', stream: 'sardana', frames: images / 4, rateHz: 20 },
          { device: 'stins', stream: 'cam', frames: images, shape: [8, 8] },
        ],
        map: file,
      })
      expect(progress).toMatchObject({ finished: true, completed_events: images + 2 })
      for (let i = 0; i < images; i++) {
        const event = events[String(i + 1)]
        expect(event?.cam?.sums.frame, `event ${i + 1}`).toBe(i)
        if (i % 4 === 3) {
          const point = (i - 3) / 4
          expect(event?.sardana?.sums['values.point_nb']).toBe(point)
          expect(event?.sardana?.sums['values.mot01']).toBeCloseTo(point / 2, 12)
        } else {
          expect(event?.sardana).toBeUndefined()
        }
      }
      expect(events[String(images + 1)]?.sardana?.kind).toBe('end')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
