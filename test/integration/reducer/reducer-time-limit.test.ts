import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeController, FakeWorker, fixture, memoryPlane, Scope, startReducer } from './harness.js'

// A reducer's processResult that never returns (a loop with no way out, or a promise that never
// settles) is stopped at the time limit; the analysis is replaced and restored from its last
// snapshot plus what was reduced since; the poison result fails with the reason; every other
// result is reduced exactly once; the scan goes on.

const scope = new Scope()
afterEach(() => scope.cleanup())

const item = (event: number, value: number) => ({ event, slot: 0, value })

/** A reducer of `reducerModule` under `callTimeoutMs`, in a running scan, with worker w1 connected. */
async function scanWith(reducerModule: string, callTimeoutMs: number) {
  const plane = await memoryPlane(scope)
  const { reducer, log } = await startReducer(scope, plane, {
    reducerModule: fixture(reducerModule),
    callTimeoutMs,
  })
  const controller = new FakeController(plane)
  const scan = await controller.start()
  await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))
  const w1 = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
  return { reducer, log, controller, scan, w1 }
}

describe('reducer time limit', () => {
  it.each([
    ['a synchronous loop', 13],
    ['a promise that never settles', 14],
  ])('stops %s, replaces the analysis, and keeps everything else', async (_what, poison) => {
    const { reducer, log, controller, scan, w1 } = await scanWith('PoisonReducer', 500)
    // Values 1..12 first (made durable by a snapshot), then a batch with the poison in its middle.
    await w1.send(
      scan,
      Array.from({ length: 12 }, (_, i) => item(i, i + 1)),
    )
    await vi.waitFor(() => expect(w1.durable).toBe(0))
    await w1.send(scan, [item(12, 100), item(13, poison), item(14, 200), item(15, 300)])
    await vi.waitFor(
      () => expect(reducer.status().scan).toMatchObject({ reduced: 16, failed: 1 }),
      {
        timeout: 10_000,
      },
    )
    const publish = reducer.publish as { sum: number; count: number; seen: number[] }
    expect(publish.sum).toBe(78 + 100 + 200 + 300)
    expect(publish.count).toBe(15)
    expect([...publish.seen].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15,
    ])
    // Every event complete (the poison as failed), and the worker told everything is durable.
    await vi.waitFor(async () => {
      const { events } = await controller.completed(scan)
      expect(new Set(events.w1).size).toBe(16)
    })
    await vi.waitFor(() => expect(w1.durable).toBe(1))
    // The one error: the poison result, with the reason. The replacement is a warning.
    log.errorsExpected = true
    expect(log.errors().map((e) => e.msg)).toEqual([
      expect.stringMatching(
        /processResult failed: .*processResult\(\) overran its time limit of 500 ms/,
      ),
    ])
    const warnings = log.lines.filter((l) => Number(l.level) === 40).map((l) => l.msg)
    expect(warnings).toContainEqual(
      expect.stringMatching(/^reducer analysis of scan .* replaced: processResult\(\) overran/),
    )
  })

  it('watches a long run of queued results in stretches, so slow calls that each fit never time out', async () => {
    // 300 results of 5 ms each are 1.5 s in all: one watched stretch of them all would overrun
    // the 1 s limit; stretches of at most 64 calls (~0.3 s) do not.
    const { reducer, scan, w1 } = await scanWith('BusyReducer', 1000)
    await w1.send(
      scan,
      Array.from({ length: 300 }, (_, i) => item(i, 5)),
    )
    await vi.waitFor(() => expect(reducer.status().scan).toMatchObject({ reduced: 300 }), {
      timeout: 20_000,
    })
    expect(reducer.status().scan).toMatchObject({ failed: 0 })
    expect((reducer.publish as { count: number }).count).toBe(300)
  }, 30_000)
})
