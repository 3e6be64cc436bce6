import { describe, expect, it } from 'vitest'
import { UpstreamNotices } from '../../../ingesters/base/upstream-notices.js'

type Written = { level: string; message: string; context: Record<string, string | number> }

function notices(maxPerSecond: number) {
  const written: Written[] = []
  let now = 1_000_000
  const n = new UpstreamNotices({
    report: async (level, message, context) => {
      written.push({ level, message, context })
    },
    maxPerSecond,
    now: () => now,
  })
  return {
    n,
    written,
    advance: (ms: number) => {
      now += ms
    },
  }
}

describe('UpstreamNotices', () => {
  it('writes warnings with stream, kind and count; beyond the rate limit counts them in the next', async () => {
    const { n, written, advance } = notices(2)
    for (let i = 1; i <= 5; i++) n.notice('invalid', 'cam', `bad ${i}`, i)
    expect(n.suppressed).toBe(3)
    advance(1000)
    n.notice('gap', 'cam', 'frame 7 never came', 1)
    await n.drain()
    expect(written).toEqual([
      { level: 'warn', message: 'bad 1', context: { stream: 'cam', kind: 'invalid', count: 1 } },
      { level: 'warn', message: 'bad 2', context: { stream: 'cam', kind: 'invalid', count: 2 } },
      {
        level: 'warn',
        message: 'frame 7 never came',
        context: { stream: 'cam', kind: 'gap', count: 1, suppressed: 3 },
      },
    ])
    expect(n.suppressed).toBe(0)
  })

  it('pumps entries as they come until aborted', async () => {
    const { n, written } = notices(10)
    const stop = new AbortController()
    const pumping = n.pump(stop.signal)
    n.notice('duplicate', 'em', 'frame 3 came again', 1)
    await expect.poll(() => written.map((w) => w.message)).toEqual(['frame 3 came again'])
    n.notice('surplus', 'em', 'frame 9 has no event', 1)
    await expect.poll(() => written).toHaveLength(2)
    stop.abort()
    await pumping
  })
})
