import { describe, expect, it } from 'vitest'
import { Assigner, compileScanPlan, uniformSequence } from '../../../src/mapping/index.js'
import { all, plain, planOf, s, vw, w } from './build-maps.js'

const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i))
const uniformPlan = (n: number) =>
  compileScanPlan(uniformSequence([s('eiger')], n, 1), { allWrap: false })
const grantOf = (batch: { grants: readonly { worker: string; events: unknown }[] }, name: string) =>
  batch.grants.find((g) => g.worker === name)?.events

describe('Assigner credits', () => {
  it('binds a whole batch per request and reports it as ranges', () => {
    const a = new Assigner(uniformPlan(30))
    for (const n of ['w1', 'w2', 'w3']) a.addWorker(w(n))
    const b1 = a.request(w('w1'), 10)
    expect(b1).toEqual({
      grants: [{ worker: 'w1', events: [[0, 10]], eventCount: 10 }],
      released: [0, 10],
      rerouted: [],
    })
    expect(grantOf(a.request(w('w2'), 10), 'w2')).toEqual([[10, 20]])
    expect(grantOf(a.request(w('w3'), 10), 'w3')).toEqual([[20, 30]])
    expect(a.routes(s('eiger'), 0, 30)).toEqual([
      { start: 0, end: 10, workers: ['w1'] },
      { start: 10, end: 20, workers: ['w2'] },
      { start: 20, end: 30, workers: ['w3'] },
    ])
    expect(a.request(w('w1'), 5).grants).toEqual([])
  })

  it('gives a constraint whole and deducts the overshoot from later credits', () => {
    // constraint i // 10: ten consecutive frames per worker.
    const plan = planOf({ p: { eiger: range(30, (i) => [vw(Math.floor(i / 10))]) } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    expect(grantOf(a.request(w('w1'), 5), 'w1')).toEqual([[0, 10]])
    expect(a.creditsOf(w('w1'))).toBe(-5)
    expect(a.request(w('w1'), 5).grants).toEqual([])
    expect(grantOf(a.request(w('w1'), 1), 'w1')).toEqual([[10, 20]])
  })

  it('keeps unspent credits and serves them as soon as work appears', () => {
    const plan = planOf(
      { a: { eiger: range(3, (i) => [vw(i)]) }, b: { eiger: range(3, (i) => [vw(i, ['x'])]) } },
      ['a', 'b'],
    )
    const a = new Assigner(plan, { lookaheadEvents: 2 })
    a.addWorker(w('wx'), ['x'])
    a.addWorker(w('wg'))
    expect(a.request(w('wx'), 5).grants).toEqual([])
    const batch = a.request(w('wg'), 10)
    expect(grantOf(batch, 'wg')).toEqual([[0, 3]])
    expect(grantOf(batch, 'wx')).toEqual([[3, 6]])
    expect(batch.released).toEqual([0, 6])
  })

  it('gives nothing to a worker holding work past the horizon until it catches up', () => {
    const a = new Assigner(uniformPlan(100), { horizonEvents: 5 })
    a.addWorker(w('slow'))
    a.addWorker(w('fast'))
    expect(grantOf(a.request(w('slow'), 1), 'slow')).toEqual([[0, 1]])
    a.request(w('fast'), 20)
    expect(a.releasedFrontier).toBe(21)
    expect(a.request(w('slow'), 3).grants).toEqual([])
    expect(a.creditsOf(w('slow'))).toBe(3)
    const done = a.complete(w('slow'), [[0, 1]])
    expect(done.accepted).toBe(1)
    expect(grantOf(done.batch, 'slow')).toEqual([[21, 24]])
  })

  it('lets one credit join one broadcast; the event waits for every eligible worker', () => {
    const plan = planOf({ p: { a: range(4, () => [all()]) } }, ['p'])
    const a = new Assigner(plan)
    for (const n of ['w1', 'w2', 'w3']) a.addWorker(w(n))
    a.request(w('w1'), 4)
    a.request(w('w2'), 4)
    expect(a.releasedFrontier).toBe(0)
    expect(a.request(w('w3'), 2).released).toEqual([0, 2])
    expect(a.routes(s('a'), 0, 2)).toEqual([{ start: 0, end: 2, workers: ['w1', 'w2', 'w3'] }])
  })

  it('rejects bad arguments with STATE_INVALID and bad options with CONFIG_INVALID', () => {
    const a = new Assigner(uniformPlan(3))
    a.addWorker(w('w1'))
    const state = expect.objectContaining({ code: 'STATE_INVALID' })
    expect(() => a.addWorker(w('w1'))).toThrow(state)
    expect(() => a.request(w('nope'), 1)).toThrow(state)
    expect(() => a.request(w('w1'), -1)).toThrow(state)
    expect(() => a.request(w('w1'), 1.5)).toThrow(state)
    expect(() => a.routes(s('eiger'), 0, 1)).toThrow(state)
    expect(() => a.routes(s('nope'), 0, 0)).toThrow(state)
    expect(() => a.removeWorker(w('nope'))).toThrow(state)
    const config = expect.objectContaining({ code: 'CONFIG_INVALID' })
    expect(() => new Assigner(uniformPlan(3), { lookaheadEvents: 0 })).toThrow(config)
    expect(() => new Assigner(uniformPlan(3), { horizonEvents: -1 })).toThrow(config)
  })
})

describe('Assigner release and completion', () => {
  it('never releases past an incomplete part instance (docs/adr/0002)', () => {
    const plan = planOf(
      { needsX: { a: [[vw(0, ['x'])]] }, generic: { a: range(3, (i) => [vw(i)]) } },
      ['needsX', 'generic'],
    )
    const a = new Assigner(plan)
    a.addWorker(w('g'))
    expect(grantOf(a.request(w('g'), 10), 'g')).toEqual([[1, 4]])
    expect(a.releasedFrontier).toBe(0)
    expect(a.assignmentOf(1)).toBeUndefined()
    a.addWorker(w('x'), ['x'])
    expect(a.request(w('x'), 1).released).toEqual([0, 4])
  })

  it('binds a constraint only to a worker with the tags of all its frames (docs/adr/0008)', () => {
    const plan = planOf({ p: { eiger: [[vw(1)]], gpu: [[vw(1, ['gpu'])]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('cpu'))
    a.addWorker(w('gpu'), ['generic', 'gpu'])
    expect(a.request(w('cpu'), 5).grants).toEqual([])
    expect(grantOf(a.request(w('gpu'), 1), 'gpu')).toEqual([[0, 1]])
    expect(plain(a.assignmentOf(0)?.assignments)).toEqual({ eiger: ['gpu'], gpu: ['gpu'] })
  })

  it('routes null, discard and worker runs for an ingester', () => {
    const plan = planOf({ p: { a: [null, null, [], [vw(0)], [vw(0)], [vw(1)]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 1)
    a.request(w('w2'), 1)
    expect(a.routes(s('a'), 0, 6)).toEqual([
      { start: 0, end: 2, workers: null },
      { start: 2, end: 3, workers: [] },
      { start: 3, end: 5, workers: ['w1'] },
      { start: 5, end: 6, workers: ['w2'] },
    ])
  })

  it('tracks which workers reported an event and compacts it once done', () => {
    const plan = planOf({ p: { a: [[all()], [vw(0)]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 2)
    a.request(w('w2'), 1)
    expect(a.completionOf(0)).toMatchObject({
      state: 'released',
      reported: [],
      waitingFor: ['w1', 'w2'],
    })
    expect(a.complete(w('w2'), [[0, 1]]).accepted).toBe(1)
    expect(a.completionOf(0)).toMatchObject({
      state: 'released',
      reported: ['w2'],
      waitingFor: ['w1'],
    })
    const result = a.complete(w('w1'), [[0, 2]])
    expect(result).toMatchObject({ accepted: 2, ignored: 0, completedFrontier: 2 })
    expect(a.completionOf(0)).toMatchObject({ state: 'done', compacted: true })
    expect(a.finished).toBe(true)
  })

  it('ignores completions of events not held, not released, or by unknown workers', () => {
    const a = new Assigner(uniformPlan(10))
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 2)
    expect(a.complete(w('w1'), [[0, 1]]).accepted).toBe(1)
    expect(a.complete(w('w1'), [[0, 1]])).toMatchObject({ accepted: 0, ignored: 1 })
    expect(a.complete(w('w2'), [[1, 2]])).toMatchObject({ accepted: 0, ignored: 1 })
    expect(a.complete(w('gone'), [[1, 2]])).toMatchObject({ accepted: 0, ignored: 1 })
    expect(a.complete(w('w1'), [[5, 9]])).toMatchObject({ accepted: 0, ignored: 4 })
  })

  it('compacts state as the scan completes', () => {
    const a = new Assigner(compileScanPlan(uniformSequence([s('eiger')], 10, 50)))
    a.addWorker(w('w1'))
    while (!a.finished) {
      a.complete(w('w1'), a.heldBy(w('w1')))
      a.request(w('w1'), 7)
    }
    a.complete(w('w1'), [])
    expect(a.stats()).toMatchObject({
      activeInstances: 0,
      broadcastRecords: 0,
      pendingBindings: 0,
      heldEvents: 0,
    })
  })
})

describe('Assigner membership', () => {
  it('a joining worker is awaited by pending broadcasts it qualifies for', () => {
    const plan = planOf({ p: { a: [[vw(0)], [all()]], b: [null, [all(['x'])]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.request(w('w1'), 1)
    a.request(w('w1'), 1)
    expect(a.releasedFrontier).toBe(2)
    const b = new Assigner(plan)
    b.addWorker(w('w1'))
    b.request(w('w1'), 1)
    b.addWorker(w('late'), ['x'])
    b.request(w('w1'), 1)
    expect(b.releasedFrontier).toBe(1)
    expect(b.request(w('late'), 1).released).toEqual([1, 2])
    expect(plain(b.assignmentOf(1)?.assignments)).toEqual({ a: ['w1'], b: ['late'] })
  })

  it('a removed worker hands back the unfinished part of its constraint', () => {
    const plan = planOf({ p: { a: range(10, () => [vw(7)]) } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 1)
    a.complete(w('w1'), [[0, 5]])
    a.request(w('w2'), 3)
    const removal = a.removeWorker(w('w1'))
    expect(removal).toMatchObject({
      worker: 'w1',
      unfinished: [[5, 10]],
      rebinding: [[5, 10]],
      dropped: [],
    })
    expect(removal.batch.grants).toEqual([{ worker: 'w2', events: [[5, 10]], eventCount: 5 }])
    expect(removal.batch.rerouted).toEqual([[5, 10]])
    expect(a.routes(s('a'), 0, 10)).toEqual([
      { start: 0, end: 5, workers: ['w1'] },
      { start: 5, end: 10, workers: ['w2'] },
    ])
    expect(a.complete(w('w2'), [[5, 10]]).completedFrontier).toBe(10)
  })

  it('waits for an eligible worker before rebinding a handed-back constraint', () => {
    const plan = planOf({ p: { a: [[vw(0)], [vw(0)]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.request(w('w1'), 1)
    expect(a.removeWorker(w('w1')).batch.grants).toEqual([])
    expect(a.completionOf(0)).toMatchObject({ state: 'released', unbound: true })
    expect(a.finished).toBe(false)
    a.addWorker(w('w2'))
    const batch = a.request(w('w2'), 1)
    expect(batch.grants).toEqual([{ worker: 'w2', events: [[0, 2]], eventCount: 2 }])
    expect(batch.rerouted).toEqual([[0, 2]])
  })

  it('broadcasts stop waiting for a removed worker (Dranspose stalls here)', () => {
    const plan = planOf({ p: { a: [[all()], [vw(0)]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('dead'))
    a.request(w('w1'), 2)
    expect(a.releasedFrontier).toBe(0)
    const removal = a.removeWorker(w('dead'))
    expect(removal.batch.released).toEqual([0, 2])
    expect(plain(a.assignmentOf(0)?.assignments)).toEqual({ a: ['w1'] })
  })

  it('drops the unfinished broadcast frames of a removed worker', () => {
    const plan = planOf({ p: { a: [[all()], [all()]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 2)
    a.request(w('w2'), 2)
    a.complete(w('w2'), [[0, 1]])
    const removal = a.removeWorker(w('w2'))
    expect(removal).toMatchObject({ dropped: [[1, 2]], rebinding: [] })
    expect(removal.batch.rerouted).toEqual([[1, 2]])
    expect(plain(a.assignmentOf(0)?.assignments)).toEqual({ a: ['w1', 'w2'] })
    expect(plain(a.assignmentOf(1)?.assignments)).toEqual({ a: ['w1'] })
  })
})

describe('Assigner retry (an event a worker could not process)', () => {
  it('hands the event’s constraint to another worker and keeps the rest where it is', () => {
    const a = new Assigner(uniformPlan(10))
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 5)
    const { retry, batch } = a.retry(w('w1'), 3)
    expect(retry).toMatchObject({ kind: 'handed-back' })
    expect(retry.kind === 'handed-back' && retry.events.ranges()).toEqual([[3, 4]])
    expect(batch.rerouted).toEqual([[3, 4]])
    // w2 has no credits yet: it takes the event when it asks.
    expect(a.heldBy(w('w1'))).toEqual([
      [0, 3],
      [4, 5],
    ])
    const next = a.request(w('w2'), 1)
    expect(grantOf(next, 'w2')).toEqual([[3, 4]])
    expect(a.routes(s('eiger'), 3, 4)).toEqual([{ start: 3, end: 4, workers: ['w2'] }])
    a.complete(w('w1'), [
      [0, 3],
      [4, 5],
    ])
    expect(a.complete(w('w2'), [[3, 4]]).completedFrontier).toBe(5)
  })

  it('moves the whole constraint, with what the worker had not completed of it', () => {
    // constraint i // 5: five consecutive frames per worker.
    const plan = planOf({ p: { eiger: range(10, (i) => [vw(Math.floor(i / 5))]) } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 1)
    a.complete(w('w1'), [[0, 2]])
    a.request(w('w2'), 10)
    const { retry } = a.retry(w('w1'), 3)
    expect(retry.kind === 'handed-back' && retry.events.ranges()).toEqual([[2, 5]])
    expect(a.heldBy(w('w1'))).toEqual([])
    expect(a.routes(s('eiger'), 0, 5)).toEqual([
      { start: 0, end: 2, workers: ['w1'] },
      { start: 2, end: 5, workers: ['w2'] },
    ])
  })

  it('drops a broadcast place: the event is done for that worker', () => {
    const plan = planOf({ p: { a: [[all()], [vw(0)]] } }, ['p'])
    const a = new Assigner(plan)
    a.addWorker(w('w1'))
    a.addWorker(w('w2'))
    a.request(w('w1'), 2)
    a.request(w('w2'), 2)
    expect(a.retry(w('w2'), 0).retry).toEqual({ kind: 'dropped' })
    expect(plain(a.assignmentOf(0)?.assignments)).toEqual({ a: ['w1'] })
    expect(a.completionOf(0).waitingFor).toEqual(['w1'])
  })

  it('says when the worker does not hold the event', () => {
    const a = new Assigner(uniformPlan(4))
    a.addWorker(w('w1'))
    a.request(w('w1'), 2)
    a.complete(w('w1'), [[0, 1]])
    expect(a.retry(w('w1'), 0).retry).toEqual({ kind: 'not-held' })
    expect(a.retry(w('w1'), 3).retry).toEqual({ kind: 'not-held' })
    expect(() => a.retry(w('nope'), 1)).toThrow(/not registered/)
  })
})
