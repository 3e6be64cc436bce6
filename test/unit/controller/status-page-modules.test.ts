import { describe, expect, it } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'

// The status page's modules are plain browser ES modules (no types): load them as the page does.
const { RateMeter, secondsLeft, formatDuration, formatRate } = (await import(
  repoPath('src/controller/status-page/static/rate-meter.js')
)) as {
  RateMeter: new (
    windowMs?: number,
  ) => {
    add(scan: string, now: number, completed: number, startMs?: number): void
    rate(): number
  }
  secondsLeft(remaining: number, rate: number): number | undefined
  formatDuration(s: number | undefined): string
  formatRate(r: number): string
}

describe('status page: a steady rate', () => {
  it('is the slope over the window, not the last second, when completions come in bursts', () => {
    const meter = new RateMeter(10_000)
    const start = 1_000_000
    // 24 events/s reported in bursts of 48 every 2 s, sampled every second: half the seconds
    // see no new completion (a 1 s rate would read 0/s there).
    for (let s = 1; s <= 20; s++) {
      const completed = Math.floor(s / 2) * 48
      meter.add('scan', start + s * 1000, completed, start)
      if (s >= 4) expect(meter.rate()).toBeGreaterThan(19)
      if (s >= 6) expect(meter.rate()).toBeLessThan(30)
    }
  })

  it('averages since the start until the window has 3 s, and starts over with a new scan', () => {
    const meter = new RateMeter()
    meter.add('a', 10_500, 5, 10_000)
    expect(meter.rate()).toBe(10)
    meter.add('b', 20_000, 0, 20_000)
    expect(meter.rate()).toBe(0)
    meter.add('b', 21_000, 30, 20_000)
    expect(meter.rate()).toBe(30)
  })

  it('tells the time left and formats durations and rates', () => {
    expect(secondsLeft(120, 24)).toBe(5)
    expect(secondsLeft(10, 0)).toBeUndefined()
    expect(formatDuration(undefined)).toBe('—')
    expect(formatDuration(42.4)).toBe('42 s')
    expect(formatDuration(185)).toBe('3 min 05 s')
    expect(formatDuration(3720)).toBe('1 h 02 min')
    expect(formatRate(24)).toBe('24.0/s')
    expect(formatRate(0.52)).toBe('0.52/s')
    expect(formatRate(1250)).toBe('1.3 k/s')
  })
})
