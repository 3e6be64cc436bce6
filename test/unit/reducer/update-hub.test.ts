import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type PublishUpdate,
  UpdateHub,
  type UpdateSink,
} from '../../../reducer/updates/update-hub.js'

/** A sink that records what it got and can be made to report back-pressure. */
class FakeSink implements UpdateSink {
  readonly texts: string[] = []
  full = false
  ended = false
  #drain: (() => void) | undefined

  write(text: string): boolean {
    this.texts.push(text)
    return !this.full
  }
  onDrain(listener: () => void): void {
    this.#drain = listener
  }
  end(): void {
    this.ended = true
  }
  drain(): void {
    this.full = false
    const listener = this.#drain
    this.#drain = undefined
    listener?.()
  }
  /** The `update` events received, parsed. */
  get updates(): PublishUpdate[] {
    return this.texts
      .filter((t) => t.startsWith('event: update\n'))
      .map((t) => JSON.parse(t.slice(t.indexOf('data: ') + 6)) as PublishUpdate)
  }
}

describe('UpdateHub', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends every path at once, then one update per throttle interval however often the reducer ran', () => {
    const publish = { sum: 0, trace: [1, 2], label: 'a' }
    const hub = new UpdateHub({ throttleMs: 200, read: () => publish })
    const sink = new FakeSink()
    hub.subscribe(sink)
    expect(sink.texts[0]).toBe('retry: 1000\n\n')
    expect(sink.updates).toEqual([
      {
        seq: 1,
        paths: ['sum', 'trace', 'label'],
        changed: ['sum', 'trace', 'label'],
        versions: { sum: 1, trace: 1, label: 1 },
      },
    ])
    for (let i = 1; i <= 50; i++) {
      publish.sum = i
      publish.trace.push(i)
      hub.markDirty()
    }
    vi.advanceTimersByTime(199)
    expect(sink.updates).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sink.updates).toHaveLength(2)
    // `label` is a string that did not change: not reported; `trace` is mutated in place.
    expect(sink.updates[1]).toEqual({
      seq: 2,
      paths: ['sum', 'trace', 'label'],
      changed: ['sum', 'trace'],
      versions: { sum: 2, trace: 2, label: 1 },
    })
    // Nothing ran: nothing is sent, however long we wait.
    vi.advanceTimersByTime(5_000)
    expect(sink.updates).toHaveLength(2)
    hub.close()
  })

  it('reports added and removed paths, and a new publish object (new scan) as all changed', () => {
    let publish: Record<string, unknown> = { a: 1, b: 2 }
    const hub = new UpdateHub({ throttleMs: 100, read: () => publish })
    const sink = new FakeSink()
    hub.subscribe(sink)
    publish.c = [3]
    delete publish.b
    hub.markDirty()
    vi.advanceTimersByTime(100)
    expect(sink.updates[1]).toMatchObject({ paths: ['a', 'c'], changed: ['c', 'b'] })
    publish = { a: 1, c: [3] }
    vi.advanceTimersByTime(100)
    expect(sink.updates[2]).toMatchObject({
      paths: ['a', 'c'],
      changed: ['a', 'c'],
      versions: { a: 2, c: 2 },
    })
    hub.close()
  })

  it('sends nothing more to a backed-up client and merges what changed into one update when it drains', () => {
    const publish = { a: 0, b: 0, c: 0 }
    const hub = new UpdateHub({ throttleMs: 50, read: () => publish })
    const slow = new FakeSink()
    const fast = new FakeSink()
    hub.subscribe(slow)
    hub.subscribe(fast)
    slow.full = true
    publish.a = 1
    hub.markDirty()
    vi.advanceTimersByTime(50)
    // The write that reported back-pressure was the last one the slow client got.
    const slowWrites = slow.texts.length
    publish.b = 1
    hub.markDirty()
    vi.advanceTimersByTime(50)
    publish.a = 2
    hub.markDirty()
    vi.advanceTimersByTime(50)
    publish.c = 1
    hub.markDirty()
    vi.advanceTimersByTime(50)
    expect(slow.texts).toHaveLength(slowWrites)
    expect(fast.updates.map((u) => u.changed)).toEqual([
      ['a', 'b', 'c'],
      ['a'],
      ['b'],
      ['a'],
      ['c'],
    ])
    slow.drain()
    const last = slow.updates.at(-1)!
    expect(new Set(last.changed)).toEqual(new Set(['a', 'b', 'c']))
    expect(last.versions).toEqual({ a: 3, b: 2, c: 2 })
    expect(slow.updates).toHaveLength(3)
    hub.close()
  })

  it('runs its timer only while someone listens, and close ends every stream', () => {
    const hub = new UpdateHub({ throttleMs: 100, read: () => ({ x: 1 }) })
    expect(vi.getTimerCount()).toBe(0)
    const one = new FakeSink()
    const two = new FakeSink()
    const dropOne = hub.subscribe(one)
    hub.subscribe(two)
    expect(vi.getTimerCount()).toBe(1)
    dropOne()
    expect(hub.clientCount).toBe(1)
    hub.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(two.ended).toBe(true)
    expect(one.ended).toBe(false)
    const late = new FakeSink()
    hub.subscribe(late)
    expect(late.ended).toBe(true)
    expect(hub.clientCount).toBe(0)
  })

  it('sends a keep-alive comment to idle clients', () => {
    const hub = new UpdateHub({ throttleMs: 100, read: () => ({}), keepAliveMs: 1_000 })
    const sink = new FakeSink()
    hub.subscribe(sink)
    vi.advanceTimersByTime(1_000)
    expect(sink.texts.filter((t) => t === ': keep-alive\n\n')).toHaveLength(1)
    hub.close()
  })
})
