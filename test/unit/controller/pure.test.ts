import { describe, expect, it } from 'vitest'
import { parseControllerEnv } from '../../../src/controller/controller-config.js'
import { toErrorReply } from '../../../src/controller/http-errors.js'
import { minLevel } from '../../../src/controller/routes-logs.js'
import { sardanaSequence } from '../../../src/controller/sardana-hook.js'
import { SlotBook } from '../../../src/controller/slot-book.js'
import { isUpstreamLost } from '../../../src/controller/upstream-lost.js'
import { WorkerLoadTracker } from '../../../src/controller/worker-load.js'
import { BeamloomError, StateError, workerName } from '../../../src/internal.js'

const w = workerName

describe('controller config', () => {
  it('has defaults in the schema', () => {
    const c = parseControllerEnv({})
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 5000,
      name: 'controller',
      token: undefined,
      bodyLimitBytes: 16 * 1024 * 1024,
      parameterBodyLimitBytes: 16 * 1024 * 1024,
      limits: { maxEvents: 10_000_000, maxMapEvents: 100_000, maxSequenceLength: 100_000 },
      allowUndescribedParameters: false,
      maxLogStreams: 32,
    })
    expect(c.controlPlane).toMatchObject({ keyPrefix: 'beamloom', heartbeatMs: 1000 })
  })
  it('refuses bad values, naming the variable', () => {
    expect(() => parseControllerEnv({ CONTROLLER_PORT: 'x' })).toThrow(/CONTROLLER_PORT/)
    expect(() => parseControllerEnv({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/)
  })
})

describe('slot book', () => {
  it('keeps the slot of handed-back work through two failures', () => {
    const book = new SlotBook()
    expect([book.add(w('a')), book.add(w('b')), book.add(w('c'))]).toEqual([0, 1, 2])
    const batch = { grants: [], released: [0, 0] as const, rerouted: [] }
    book.remove({ worker: w('a'), unfinished: [[5, 10]], rebinding: [[5, 10]], dropped: [], batch })
    expect(book.grant([{ worker: w('b'), events: [[5, 8]], eventCount: 3 }])).toEqual([
      [5, 8, 'b', 0],
    ])
    book.remove({
      worker: w('b'),
      unfinished: [
        [5, 8],
        [12, 14],
      ],
      rebinding: [
        [5, 8],
        [12, 14],
      ],
      dropped: [],
      batch,
    })
    expect(
      book.grant([
        {
          worker: w('c'),
          events: [
            [5, 10],
            [12, 14],
          ],
          eventCount: 7,
        },
      ]),
    ).toEqual([
      [5, 8, 'c', 0],
      [8, 10, 'c', 0],
      [12, 14, 'c', 1],
    ])
    book.prune(100)
    expect(book.grant([{ worker: w('c'), events: [[0, 100]], eventCount: 100 }])).toEqual([])
  })
})

describe('sardana hook', () => {
  it('builds a uniform map over served streams', () => {
    const s = sardanaSequence(
      { streams: ['a', 'b'], scan: { nb_points: 2, title: 'x' } },
      new Set(['a']),
    )
    expect(s).toEqual({
      parts: {
        sardana: {
          a: [[{ tags: ['generic'], constraint: 0 }], [{ tags: ['generic'], constraint: 1 }]],
        },
      },
      sequence: ['sardana'],
    })
  })
  it('refuses what Dranspose answers with a text', () => {
    expect(() => sardanaSequence({ streams: ['a'] }, new Set(['a']))).toThrow(/scan/)
    expect(() => sardanaSequence({ streams: ['a'], scan: {} }, new Set(['a']))).toThrow(/nb_points/)
    expect(() =>
      sardanaSequence({ streams: ['z'], scan: { nb_points: 1 } }, new Set(['a'])),
    ).toThrow(/served/)
  })
})

describe('error replies', () => {
  it('maps our codes to statuses and hides internal errors', () => {
    expect(toErrorReply(new BeamloomError('PARAMETER_INVALID', 'bad')).statusCode).toBe(400)
    expect(toErrorReply(new StateError('busy')).statusCode).toBe(409)
    expect(toErrorReply(new BeamloomError('UPSTREAM_CLOSED', 'gone')).statusCode).toBe(503)
    expect(toErrorReply(new Error('secret'))).toMatchObject({
      statusCode: 500,
      message: 'internal error',
    })
  })
})

describe('small helpers', () => {
  it('reads log levels like Python', () => {
    expect([
      minLevel(undefined),
      minLevel('warning'),
      minLevel('ERROR'),
      minLevel('15'),
      minLevel('x'),
    ]).toEqual([20, 30, 40, 15, 20])
  })
  it('recognises upstream-lost entries of the scan', () => {
    const entry = {
      time: 0,
      level: 'warn' as const,
      role: 'ingester' as const,
      name: 'i',
      message: 'gone',
    }
    expect(isUpstreamLost({ ...entry, context: { kind: 'upstream-lost' } }, 's')).toBe(true)
    expect(isUpstreamLost({ ...entry, context: { kind: 'upstream-lost', scanId: 's' } }, 's')).toBe(
      true,
    )
    expect(isUpstreamLost({ ...entry, context: { kind: 'upstream-lost', scanId: 't' } }, 's')).toBe(
      false,
    )
    expect(isUpstreamLost(entry, 's')).toBe(false)
    // The message's text is not what counts.
    expect(isUpstreamLost({ ...entry, message: 'upstream-lost: gone' }, 's')).toBe(false)
  })
  it('counts worker load per second', () => {
    let now = 10_000
    const load = new WorkerLoadTracker(() => now)
    load.record('a', 5, 4)
    now += 2_000
    load.record('a', 3, 9)
    expect(load.load([1, 10], true)).toEqual({
      a: {
        last_event: 9,
        intervals: {
          1: { events: 3, rate: 3 },
          10: { events: 8, rate: 0.8 },
          scan: { events: 8, rate: 4 },
        },
      },
    })
  })
})
