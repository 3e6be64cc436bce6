import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined
let app: FastifyInstance | undefined

afterEach(async () => {
  const errors = bed?.errors() ?? []
  await app?.close()
  await bed?.cleanup()
  app = undefined
  bed = undefined
  expect(errors).toEqual([])
})

interface Status {
  work_completed: Record<string, string[]>
  assignment: Record<string, string>[]
  work_completed_truncated: boolean
}

async function finishedStatus(app: FastifyInstance): Promise<Status> {
  await vi.waitFor(async () => {
    expect((await app.inject({ url: '/api/v1/progress' })).json().finished).toBe(true)
  })
  return (await app.inject({ url: '/api/v1/status' })).json() as Status
}

describe("GET /api/v1/status: Dranspose's work_completed and assignment", () => {
  it('names the workers of every event and the worker of every constraint', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const a = await bed.worker('a', { window: 2 })
    const b = await bed.worker('b', { window: 2 })
    const controller = await bed.controller()
    app = buildControllerApp(controller)
    // 8 events in pairs of one constraint: constraint c has events 2c and 2c + 1 of the part.
    const map = { eiger: Array.from({ length: 8 }, (_, i) => [{ constraint: i >> 1 }]) }
    const res = await app.inject({ method: 'POST', url: '/api/v1/mapping', payload: map })
    expect(res.statusCode, res.body).toBe(200)
    const status = await finishedStatus(app)

    // Events 0 and 9 are the start and end events every worker gets.
    expect(Object.keys(status.work_completed)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i)),
    )
    expect(status.work_completed['0']).toEqual(['a', 'b'])
    expect(status.work_completed['9']).toEqual(['a', 'b'])
    for (let e = 1; e <= 8; e++) expect(status.work_completed[String(e)]).toHaveLength(1)
    // What each fake worker says it processed agrees with the controller's record.
    for (const w of [a, b]) {
      for (const e of w.processed) expect(status.work_completed[String(e)]).toContain(w.info.name)
    }

    // One object per part instance: start, main, end; the start/end part has no constraints.
    expect(status.assignment).toHaveLength(3)
    expect(status.assignment[0]).toEqual({})
    expect(status.assignment[2]).toEqual({})
    const main = status.assignment[1] as Record<string, string>
    expect(Object.keys(main).sort()).toEqual(['0', '1', '2', '3'])
    for (let c = 0; c < 4; c++) {
      // Main event 2c + i is global event 2c + i + 1 (after the start event).
      expect(status.work_completed[String(2 * c + 1)]).toEqual([main[String(c)]])
      expect(status.work_completed[String(2 * c + 2)]).toEqual([main[String(c)]])
    }
    expect(status.work_completed_truncated).toBe(false)
  })

  it('lists an event nobody had to process with no workers, and parts of a sequence apart', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a', { window: 4 })
    const controller = await bed.controller()
    app = buildControllerApp(controller)
    const payload = {
      parts: { p: { eiger: [[{ constraint: 0 }], [], [{ constraint: 1 }]] } },
      sequence: Array.from({ length: 20 }, () => 'p'),
    }
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence?all_wrap=false',
      payload,
    })
    expect(res.statusCode, res.body).toBe(200)
    const status = await finishedStatus(app)
    const expected: Record<string, string[]> = {}
    for (let e = 0; e < 60; e++) expected[String(e)] = e % 3 === 1 ? [] : ['a']
    expect(status.work_completed).toEqual(expected)
    // Constraints are scoped to a part instance: each of the 20 binds its own 0 and 1 (the
    // early ones were complete, and forgotten by the assigner, long before the scan ended).
    expect(status.assignment).toEqual(Array.from({ length: 20 }, () => ({ '0': 'a', '1': 'a' })))
  })

  it('is empty before the first scan', async () => {
    bed = await testBed()
    const controller = await bed.controller()
    app = buildControllerApp(controller)
    const status = (await app.inject({ url: '/api/v1/status' })).json()
    expect(status).toMatchObject({ work_completed: {}, assignment: [] })
  })
})
