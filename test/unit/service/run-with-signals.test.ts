import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { type RunEvent, runWithSignals } from '../../../src/service/run-with-signals.js'
import { ServiceBase } from '../../../src/service/service-base.js'

class Loopy extends ServiceBase {
  constructor(
    private readonly stubborn: boolean,
    private readonly startError?: Error,
  ) {
    super('loopy')
  }
  protected override async onStart(): Promise<void> {
    if (this.startError) throw this.startError
    this.spawn('work', (signal) =>
      this.stubborn
        ? new Promise(() => {})
        : new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
    )
  }
}

function harness() {
  const source = new EventEmitter()
  const events: RunEvent[] = []
  const kinds = () => events.map((e) => e.kind)
  return { source, events, kinds, onEvent: (e: RunEvent) => events.push(e) }
}

describe('runWithSignals', () => {
  it('drains on the first signal and exits 0', async () => {
    const h = harness()
    const s = new Loopy(false)
    const run = runWithSignals(s, { drainTimeoutMs: 60_000, source: h.source, onEvent: h.onEvent })
    await expect.poll(() => s.state).toBe('running')
    h.source.emit('SIGTERM')
    expect(await run).toBe(0)
    expect(h.kinds()).toEqual(['started', 'draining', 'closed'])
    expect(h.source.listenerCount('SIGTERM')).toBe(0)
    expect(h.source.listenerCount('SIGINT')).toBe(0)
  })

  it('forces on a second signal', async () => {
    const h = harness()
    const s = new Loopy(true)
    const run = runWithSignals(s, { drainTimeoutMs: 60_000, source: h.source, onEvent: h.onEvent })
    await expect.poll(() => s.state).toBe('running')
    h.source.emit('SIGINT')
    await expect.poll(() => s.state).toBe('closing')
    h.source.emit('SIGINT')
    expect(await run).toBe(0)
    expect(h.events).toContainEqual({ kind: 'forcing', reason: 'second-signal' })
  })

  it('forces when the drain times out', async () => {
    const h = harness()
    const s = new Loopy(true)
    const run = runWithSignals(s, { drainTimeoutMs: 20, source: h.source, onEvent: h.onEvent })
    await expect.poll(() => s.state).toBe('running')
    h.source.emit('SIGTERM')
    expect(await run).toBe(0)
    expect(h.events).toContainEqual({ kind: 'forcing', reason: 'drain-timeout' })
  })

  it('exits 1 when start fails, without waiting for a signal', async () => {
    const h = harness()
    const s = new Loopy(false, new Error('bad config'))
    expect(await runWithSignals(s, { drainTimeoutMs: 10, source: h.source })).toBe(1)
  })
})
