import { describe, expect, it } from 'vitest'
import { backoffMs, retry } from '../../../src/internal.js'

const never = new AbortController().signal

describe('retry', () => {
  it('pauses with capped exponential back-off', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, 50, 1000))).toEqual([
      50, 100, 200, 400, 800, 1000,
    ])
    expect(backoffMs(10_000, 1, 5)).toBe(5)
  })

  it('resolves with the first success, after the failures it was given', async () => {
    const pauses: number[] = []
    const value = await retry(
      async (attempt) => {
        if (attempt < 4) throw new Error(`no ${attempt}`)
        return attempt * 10
      },
      { signal: never, minMs: 1, maxMs: 3, onRetry: (_e, _a, ms) => pauses.push(ms) },
    )
    expect(value).toBe(40)
    expect(pauses).toEqual([1, 2, 3])
  })

  it('gives up with the last failure after `attempts`', async () => {
    let calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw new Error(`failure ${calls}`)
        },
        { signal: never, attempts: 3, minMs: 1 },
      ),
    ).rejects.toThrow('failure 3')
    expect(calls).toBe(3)
  })

  it('does not retry what is not retryable', async () => {
    let calls = 0
    await expect(
      retry(
        async () => {
          calls++
          throw new TypeError('bad input')
        },
        { signal: never, minMs: 1, retryable: (e) => !(e instanceof TypeError) },
      ),
    ).rejects.toThrow('bad input')
    expect(calls).toBe(1)
  })

  it('gives up once `withinMs` has passed', async () => {
    let calls = 0
    const started = performance.now()
    await expect(
      retry(
        async () => {
          calls++
          throw new Error('down')
        },
        { signal: never, minMs: 5, maxMs: 5, withinMs: 30 },
      ),
    ).rejects.toThrow('down')
    expect(performance.now() - started).toBeGreaterThanOrEqual(30)
    expect(calls).toBeGreaterThan(1)
  })

  it('rejects with the signal reason once aborted, and starts no attempt after', async () => {
    const ac = new AbortController()
    let calls = 0
    const run = retry(
      async () => {
        calls++
        if (calls === 2) ac.abort(new Error('stopped'))
        throw new Error('down')
      },
      { signal: ac.signal, minMs: 1 },
    )
    await expect(run).rejects.toThrow('stopped')
    expect(calls).toBe(2)
  })
})
