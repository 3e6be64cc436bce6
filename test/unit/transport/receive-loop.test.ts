import { describe, expect, it } from 'vitest'
import {
  type ReceivingSocket,
  receiveLoop,
  receiveRuns,
} from '../../../src/transport/receive-loop.js'
import { ABORTED, untilAborted } from '../../../src/transport/until-aborted.js'

/** A socket whose messages the test pushes; a pending read rejects on close, as zmq's does. */
class FakeSocket implements ReceivingSocket {
  closed = false
  readonly #queue: Buffer[][] = []
  #waiting: { resolve: (m: Buffer[]) => void; reject: (e: Error) => void } | undefined

  push(...parts: string[]): void {
    const message = parts.map((p) => Buffer.from(p))
    if (this.#waiting) {
      this.#waiting.resolve(message)
      this.#waiting = undefined
    } else this.#queue.push(message)
  }

  get readable(): boolean {
    return this.#queue.length > 0
  }

  receive(): Promise<Buffer[]> {
    const next = this.#queue.shift()
    if (next) return Promise.resolve(next)
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  close(): void {
    this.closed = true
    this.#waiting?.reject(Object.assign(new Error('closed'), { code: 'EAGAIN' }))
  }
}

describe('receiveLoop', () => {
  it('hands messages over in order, one at a time', async () => {
    const socket = new FakeSocket()
    const seen: string[] = []
    let release: () => void = () => {}
    const ac = new AbortController()
    socket.push('a')
    socket.push('b')
    const loop = receiveLoop(
      socket,
      (parts) => {
        seen.push(parts[0]!.toString())
        if (seen.length === 1) return new Promise<void>((r) => (release = r))
      },
      ac.signal,
    )
    await expect.poll(() => seen).toEqual(['a'])
    release()
    await expect.poll(() => seen).toEqual(['a', 'b'])
    ac.abort()
    await loop
  })

  it('returns promptly when aborted while waiting for a message', async () => {
    const socket = new FakeSocket()
    const ac = new AbortController()
    const loop = receiveLoop(socket, () => {}, ac.signal)
    ac.abort()
    await loop
    socket.close() // the abandoned read rejects without an unhandled rejection
  })

  it('returns when the socket is closed under it', async () => {
    const socket = new FakeSocket()
    const loop = receiveLoop(socket, () => {}, new AbortController().signal)
    socket.close()
    await loop
  })

  it('rejects with the handler error', async () => {
    const socket = new FakeSocket()
    socket.push('x')
    const loop = receiveLoop(
      socket,
      () => {
        throw new Error('boom')
      },
      new AbortController().signal,
    )
    await expect(loop).rejects.toThrow('boom')
  })
})

describe('untilAborted', () => {
  it('resolves with the value, or ABORTED when the signal wins', async () => {
    const ac = new AbortController()
    await expect(untilAborted(Promise.resolve(1), ac.signal)).resolves.toBe(1)
    const never = new Promise<number>(() => {})
    const waiting = untilAborted(never, ac.signal)
    ac.abort()
    await expect(waiting).resolves.toBe(ABORTED)
    await expect(untilAborted(Promise.reject(new Error('late')), ac.signal)).resolves.toBe(ABORTED)
  })
})

describe('receiveRuns', () => {
  const text = (messages: Buffer[][]): string[] => messages.map((m) => m[0]!.toString())

  it('hands what queued while the handler worked over as one run, bounded by maxRun', async () => {
    const socket = new FakeSocket()
    const runs: string[][] = []
    let release: () => void = () => {}
    const ac = new AbortController()
    const loop = receiveRuns(
      socket,
      (messages) => {
        runs.push(text(messages))
        if (runs.length === 1) return new Promise<void>((r) => (release = r))
      },
      ac.signal,
      3,
    )
    socket.push('a')
    await expect.poll(() => runs).toEqual([['a']])
    for (const m of ['b', 'c', 'd', 'e']) socket.push(m)
    release()
    await expect.poll(() => runs).toEqual([['a'], ['b', 'c', 'd'], ['e']])
    ac.abort()
    await loop
  })

  it('with maxRun 1 is receiveLoop: one message per call', async () => {
    const socket = new FakeSocket()
    for (const m of ['a', 'b', 'c']) socket.push(m)
    const runs: string[][] = []
    const ac = new AbortController()
    const loop = receiveRuns(socket, (messages) => void runs.push(text(messages)), ac.signal, 1)
    await expect.poll(() => runs).toEqual([['a'], ['b'], ['c']])
    ac.abort()
    await loop
  })
})
