import { afterEach, describe, expect, it } from 'vitest'
import type { CallOutcome, Parameters, RunnerLimits, WorkerRunner } from '../../../src/internal.js'
import {
  createInlineWorkerRunner,
  createThreadWorkerRunner,
  decodePayload,
  eventNumber,
  makeParameter,
} from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'

// The worker thread that hosts a TypeScript analysis: results equal to the same class run
// inline; a call over the time limit, synchronous or after an await, is stopped; a leak is
// stopped at the memory cap; a throw fails the event only; a closing worker skips the rest.

const FAULT = `${repoPath('test/harness/fault-analysis.ts')}:FaultWorker`
const LIMITS: RunnerLimits = { callTimeoutMs: 1500, lifecycleTimeoutMs: 30_000, memoryMiB: 400 }
const runners: WorkerRunner[] = []

afterEach(async () => {
  for (const r of runners.splice(0)) await r.close()
})

async function thread(limits = LIMITS): Promise<WorkerRunner> {
  const r = await createThreadWorkerRunner({ spec: FAULT, limits, name: 'test analysis' })
  runners.push(r)
  await r.begin({ parameters: params(-1, 'loop'), state: { name: 'w', tags: [] } })
  return r
}

function params(poisonFrame: number, poison: string): Parameters {
  const enc = (t: string) => new TextEncoder().encode(t)
  return {
    poison_frame: makeParameter('poison_frame', enc(String(poisonFrame)), {
      name: 'poison_frame',
      dtype: 'int',
      default: -1,
    }),
    poison: makeParameter('poison', enc(poison), { name: 'poison', dtype: 'str', default: 'loop' }),
  }
}

/** A STINS image of `frame`: 4 uint16 pixels of value `frame + 1`. */
function image(frame: number) {
  const header = new TextEncoder().encode(JSON.stringify({ htype: 'image', frame }))
  const pixels = new Uint8Array(new Uint16Array(4).fill(frame + 1).buffer)
  return {
    event: {
      eventNumber: eventNumber(frame + 1),
      streams: { cam: { typ: 'STINS', frames: [header, pixels] } },
    },
    tick: false,
  }
}

function sums(outcomes: CallOutcome[]): unknown[] {
  return outcomes.map((o) =>
    o.kind === 'result' ? (decodePayload(o.payload) as { sum: number }).sum : o.kind,
  )
}

describe('analysis in a worker thread', () => {
  it('gives what the same class gives inline', async () => {
    const events = [0, 1, 2, 3].map(image)
    const t = await thread()
    const inline = await createInlineWorkerRunner(FAULT)
    runners.push(inline)
    await inline.begin({ parameters: params(-1, 'loop'), state: { name: 'w', tags: [] } })
    const a = await t.processEvents(events, params(-1, 'loop'))
    const b = await inline.processEvents(events, params(-1, 'loop'))
    expect(sums(a)).toEqual([4, 8, 12, 16])
    expect(sums(a)).toEqual(sums(b))
    expect(t.parameters.map((p) => p.name)).toEqual(['poison_frame', 'poison'])
  })

  it('refuses a missing module and a module without the class, with the loader codes', async () => {
    await expect(
      createThreadWorkerRunner({ spec: '/nonexistent/w.ts:W', limits: LIMITS, name: 'x' }),
    ).rejects.toMatchObject({ code: 'MODULE_NOT_FOUND' })
    await expect(
      createThreadWorkerRunner({
        spec: `${repoPath('test/harness/fault-analysis.ts')}:Nope`,
        limits: LIMITS,
        name: 'x',
      }),
    ).rejects.toMatchObject({ code: 'MODULE_INVALID' })
  })

  it('fails a throwing event only, with its message', async () => {
    const t = await thread()
    const out = await t.processEvents([0, 1, 2].map(image), params(1, 'throw'))
    expect(out[0]).toMatchObject({ kind: 'result' })
    expect(out[1]).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('frame 1 is poison'),
      stream: 'cam',
    })
    expect(out[2]).toMatchObject({ kind: 'result' })
    expect(t.alive).toBe(true)
  })

  it.each(['loop', 'async-loop'])(
    'stops a call that never returns (%s) at the time limit',
    async (how) => {
      const t = await thread()
      const started = Date.now()
      const out = await t.processEvents([0, 1, 2, 3].map(image), params(1, how))
      expect(Date.now() - started).toBeGreaterThanOrEqual(LIMITS.callTimeoutMs)
      expect(out.map((o) => o.kind)).toEqual(['skipped', 'timeout', 'skipped', 'skipped'])
      expect(out[1]).toMatchObject({ reason: expect.stringMatching(/time limit of 1500 ms/) })
      expect(t.alive).toBe(false)
      // A new runner takes over with a fresh instance.
      const next = await thread()
      expect(sums(await next.processEvents([2, 3].map(image), params(1, how)))).toEqual([12, 16])
    },
    30_000,
  )

  it('stops an analysis that leaks past its memory cap', async () => {
    const t = await thread({ ...LIMITS, callTimeoutMs: 60_000, memoryMiB: 300 })
    const out = await t.processEvents([0, 1].map(image), params(0, 'leak'))
    expect(out[0]).toMatchObject({
      kind: 'crashed',
      reason: expect.stringMatching(/memory cap of 300 MiB/),
    })
    expect(out[1]).toEqual({ kind: 'skipped' })
    expect(t.alive).toBe(false)
  }, 60_000)

  it('skips the events not started once the worker closes', async () => {
    const t = await thread({ ...LIMITS, callTimeoutMs: 60_000 })
    const closing = new AbortController()
    closing.abort()
    const out = await t.processEvents([0, 1].map(image), params(-1, 'loop'), closing.signal)
    expect(out).toEqual([{ kind: 'skipped' }, { kind: 'skipped' }])
    expect(t.alive).toBe(true)
  })
})
