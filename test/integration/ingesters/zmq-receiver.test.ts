import { afterEach, describe, expect, it, vi } from 'vitest'
import { Pull, Push } from 'zeromq'
import { ZmqReceiver } from '../../../ingesters/base/zmq-receiver.js'

// The ingester flushes a worker's partial batch when `ready()` says the next upstream message
// is not there yet; a wrong `true` holds frames back until the next message arrives.

const sockets: { close(): void }[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

async function pair(): Promise<{ push: Push; receiver: ZmqReceiver }> {
  const push = new Push({ linger: 0 })
  sockets.push(push)
  await push.bind('tcp://127.0.0.1:*')
  const pull = new Pull({ linger: 0 })
  const receiver = new ZmqReceiver(pull, { url: push.lastEndpoint ?? '', lostAfterMs: 5000 })
  sockets.push(receiver)
  pull.connect(push.lastEndpoint ?? '')
  return { push, receiver }
}

describe('ZmqReceiver.ready', () => {
  it('is false after a receive that had to wait, until the next message is queued', async () => {
    const { push, receiver } = await pair()
    const signal = new AbortController().signal
    expect(receiver.ready()).toBe(false)
    // Started before anything is sent: this receive waits for the message.
    const first = receiver.receive(signal)
    await push.send('one')
    expect((await first).map(String)).toEqual(['one'])
    expect(receiver.ready()).toBe(false)
    await push.send('two')
    await vi.waitFor(() => expect(receiver.ready()).toBe(true))
    expect((await receiver.receive(signal)).map(String)).toEqual(['two'])
    expect(receiver.ready()).toBe(false)
  })

  it('hands out queued messages in order, then waits for the next', async () => {
    const { push, receiver } = await pair()
    const signal = new AbortController().signal
    for (const m of ['a', 'b', 'c']) await push.send(m)
    await vi.waitFor(() => expect(receiver.ready()).toBe(true))
    const got: string[] = []
    for (let i = 0; i < 3; i++) got.push(String((await receiver.receive(signal))[0]))
    expect(got).toEqual(['a', 'b', 'c'])
    const next = receiver.receive(signal)
    expect(receiver.ready()).toBe(false)
    await push.send('d')
    expect(String((await next)[0])).toBe('d')
  })
})
