import { describe, expect, it } from 'vitest'
import type { LogEntry, LogStream } from '../../../src/control/log-stream.js'
import { FailureLog } from '../../../src/internal.js'

interface Line {
  level: 'warn' | 'error'
  fields: Record<string, unknown>
  message: string
}

function setup(opts: { append?: (e: LogEntry) => Promise<void>; localLevel?: 'warn' | 'error' }) {
  const lines: Line[] = []
  const appended: LogEntry[] = []
  let clock = 1_000_000
  const logs = {
    append: async (e: LogEntry) => {
      if (opts.append) await opts.append(e)
      appended.push(e)
      return '0-1'
    },
  } as unknown as LogStream
  const log = new FailureLog({
    logger: {
      warn: (fields, message) => lines.push({ level: 'warn', fields: { ...fields }, message }),
      error: (fields, message) => lines.push({ level: 'error', fields: { ...fields }, message }),
    },
    logs,
    role: 'worker',
    name: 'w1',
    maxPerSecond: 3,
    maxQueued: 5,
    localLevel: opts.localLevel,
    now: () => clock,
  })
  return { log, lines, appended, tick: (ms: number) => (clock += ms) }
}

describe('FailureLog', () => {
  it('accepts maxPerSecond a second; the next accepted entry carries the suppressed count and the total', async () => {
    const { log, lines, appended, tick } = setup({})
    for (let i = 0; i < 10; i++) log.report(`boom ${i}`, { event: i })
    expect(lines.map((l) => l.message)).toEqual(['boom 0', 'boom 1', 'boom 2'])
    expect(log.suppressed).toBe(7)
    expect(log.total).toBe(10)
    tick(1000)
    log.report('boom 10', { event: 10 })
    expect(lines.at(-1)).toEqual({
      level: 'error',
      fields: { event: 10, suppressed: 7, failures: 11 },
      message: 'boom 10',
    })
    expect(log.suppressed).toBe(0)
    await log.flushed()
    expect(appended.map((e) => [e.level, e.role, e.name, e.message])).toEqual([
      ['error', 'worker', 'w1', 'boom 0'],
      ['error', 'worker', 'w1', 'boom 1'],
      ['error', 'worker', 'w1', 'boom 2'],
      ['error', 'worker', 'w1', 'boom 10'],
    ])
    expect(appended[3]?.context).toEqual({ event: 10, suppressed: 7, failures: 11 })
  })

  it('bounds what waits for the shared log; a slow log costs counted entries, not memory', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const { log, appended, tick } = setup({ append: () => gate })
    for (let i = 0; i < 4; i++) {
      log.report(`slow ${i}`, {})
      log.report(`slow ${i}b`, {})
      tick(1000)
    }
    // Five queued (the bound), three counted as suppressed.
    expect(log.suppressed).toBe(3)
    release()
    await log.flushed()
    expect(appended).toHaveLength(5)
    // Room again once they were written.
    log.report('after', {})
    await log.flushed()
    expect(appended.at(-1)?.context).toEqual({ suppressed: 3, failures: 9 })
  })

  it('never throws when the shared log fails; says so once per outage on the local log', async () => {
    let failing = true
    const { log, lines, appended, tick } = setup({
      localLevel: 'warn',
      append: async () => {
        if (failing) throw new Error('connection lost')
      },
    })
    log.report('a', {})
    log.report('b', {})
    await log.flushed()
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'a'],
      ['warn', 'b'],
      ['warn', 'cannot append failures to the shared log'],
    ])
    failing = false
    tick(1000)
    log.report('c', {})
    await log.flushed()
    expect(appended.map((e) => e.message)).toEqual(['c'])
  })

  it('reset starts the total afresh', () => {
    const { log } = setup({})
    log.report('x', {})
    log.report('y', {})
    log.reset()
    expect(log.total).toBe(0)
    log.report('z', {})
    expect(log.total).toBe(1)
  })
})
