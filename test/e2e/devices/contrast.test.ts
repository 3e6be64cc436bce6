import { describe, expect, it } from 'vitest'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'
import { readContrastCapture } from './contrast-capture.js'

/**
 * contrast-dump.cbors played by the Contrast simulator (a PUB) into the real Contrast ingester
 * (a SUB), through two workers that parse with `parseStream`, to the reducer. Expected figures
 * are read from the pickles' bytes (test/e2e/devices/contrast-capture.ts), not with the parser.
 */
describe('contrast-dump (Contrast), simulator → ingester → workers → reducer', () => {
  it('started, 20 running points with the captured motor positions, finished; heartbeats are no events', async () => {
    const captured = await readContrastCapture(fixturePath('contrast-dump.cbors'))
    const points = captured.filter((m) => m.status === 'running')
    const heartbeats = captured.filter((m) => m.status === 'heartbeat')
    expect(points).toHaveLength(20)
    expect(heartbeats.length).toBeGreaterThan(0)
    const started = captured.find((m) => m.status === 'started')
    expect(started?.description).toBe('mesh sx -2 2 3 sy -2 2 4 0.1')

    const { events, progress } = await runDeviceScan({
      simulate: [
        { device: 'contrast', stream: 'contrast', capture: fixturePath('contrast-dump.cbors') },
      ],
      frames: 20,
    })
    expect(progress).toMatchObject({ finished: true, total_events: 22, completed_events: 22 })
    expect(events['0']?.contrast?.kind).toBe('start')
    expect(events['0']?.contrast?.strings.description).toBe(started?.description)
    expect(events['0']?.contrast?.sums.scannr).toBe(2)
    for (const [i, point] of points.entries()) {
      const got = events[String(i + 1)]?.contrast
      expect(got?.kind, `event ${i + 1}`).toBe('data')
      expect(got?.sums['positions.sx']).toBe(point.sx)
      expect(got?.sums['positions.sy']).toBe(point.sy)
      expect(got?.sums.dt).toBe(point.dt)
    }
    expect(events['21']?.contrast?.kind).toBe('end')
    expect(events['21']?.contrast?.strings.reason).toBe('finished')
  })

  it('a generated 3x4 mesh: started, 12 points on the grid, finished', async () => {
    const { events, progress } = await runDeviceScan({
      simulate: [
        {
          device: 'contrast',
          stream: 'ctr',
          frames: 12,
          options: { mesh: '3x4', heartbeat: '5', motors: 'x+y' },
        },
      ],
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 14 })
    expect(events['0']?.ctr?.strings.description).toBe('mesh x -2 2 2 y -2 2 3 0.1')
    for (let i = 0; i < 12; i++) {
      const got = events[String(i + 1)]?.ctr
      expect(got?.kind).toBe('data')
      expect(got?.sums['positions.x']).toBeCloseTo(-2 + 2 * Math.floor(i / 4), 12)
      expect(got?.sums['positions.y']).toBeCloseTo(-2 + (4 / 3) * (i % 4), 12)
    }
    expect(events['13']?.ctr?.strings.reason).toBe('finished')
  })
})
