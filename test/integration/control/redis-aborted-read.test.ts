import { Redis } from 'ioredis'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { redisHarness } from './redis-harness.js'

const harnesses: Awaited<ReturnType<typeof redisHarness>>[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const h of harnesses.splice(0)) await h.cleanup()
})

describe('redis control plane: blocking reads and aborts', () => {
  it('never reuses a connection that an abort dropped after its reply had arrived', async () => {
    const h = await redisHarness()
    harnesses.push(h)
    const plane = await h.connect()
    const key = plane.keys.scanUpdates()
    await plane.xadd(key, { n: '1' })

    // The abort lands after Redis answered and before the read's own continuation runs: the
    // abort listener disconnects the connection although its reply is already in hand.
    const controller = new AbortController()
    const original = Redis.prototype.callBuffer
    const spy = vi.spyOn(Redis.prototype, 'callBuffer').mockImplementation(function (
      this: Redis,
      ...args: Parameters<typeof original>
    ) {
      const reply = original.apply(this, args) as unknown as Promise<unknown>
      return reply.then((value) => {
        controller.abort(new Error('scan switched'))
        return value
      }) as never
    })
    const first = await plane
      .xread(key, '0-0', { signal: controller.signal, timeoutMs: 1000 })
      .catch((err: unknown) => err)
    spy.mockRestore()
    // Whether the first read returns its entries or the abort reason, the next read must work.
    if (Array.isArray(first)) expect(first).toHaveLength(1)
    const next = await plane.xread(key, '0-0', { timeoutMs: 1000 })
    expect(next).toHaveLength(1)
  })
})
