import { describe, expect, it } from 'vitest'
import {
  formatSeconds,
  progressFigures,
  progressMode,
  RateWindow,
} from '../../../cli/up/scan-progress.js'

describe("up's progress figures", () => {
  it('shows a bar on a terminal, lines only when asked, nothing when told not to', () => {
    expect(progressMode(undefined, { isTTY: true })).toBe('bar')
    expect(progressMode(true, { isTTY: true })).toBe('bar')
    expect(progressMode(undefined, { isTTY: false })).toBe('off')
    expect(progressMode(true, {})).toBe('lines')
    expect(progressMode(false, { isTTY: true })).toBe('off')
  })

  it('measures the rate over a sliding window', () => {
    const rates = new RateWindow(10_000)
    expect(rates.add(0, 0)).toBe(0)
    expect(rates.add(1000, 50)).toBe(50)
    expect(rates.add(2000, 150)).toBe(75)
    // 12 s later the first samples have left the window: 100 events in the last 10 s.
    expect(rates.add(12_000, 250)).toBe(10)
    expect(rates.add(12_000, 250)).toBe(10)
  })

  it('estimates the time left from the rate, and says when it cannot', () => {
    expect(progressFigures({ completed: 50, total: 250, failed: 2 }, 40)).toEqual({
      rate: '40.0',
      eta: '5 s',
      failed: 2,
    })
    expect(progressFigures({ completed: 0, total: 10, failed: 0 }, 0).eta).toBe('?')
    expect(progressFigures({ completed: 10, total: 10, failed: 0 }, 0).eta).toBe('0 s')
    expect(progressFigures({ completed: 0, total: 1e6, failed: 0 }, 1234.5).rate).toBe('1235')
    expect([59.4, 61, 3725].map(formatSeconds)).toEqual(['59 s', '1 min 01 s', '1 h 02 min'])
  })
})
