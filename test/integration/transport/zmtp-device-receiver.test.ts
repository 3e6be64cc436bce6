// The ingester's own ZMTP device receiver against real libzmq devices (zeromq.js PUSH and PUB),
// and against a device that restarts, vanishes, or sends junk.
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Publisher, Push } from 'zeromq'
import {
  FrameSlabs,
  isBeamloomError,
  type ZmtpConnectionEvent,
  ZmtpDeviceReceiver,
  type ZmtpDeviceReceiverOptions,
} from '../../../src/internal.js'
import { greeting, LONG, message, pattern, ready } from '../../harness/zmtp-bytes.js'

const MIB = 1 << 20
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const forever = (): AbortSignal => new AbortController().signal

/** A fake device on a raw TCP port that sends `bytes` to every connection. */
async function rawDevice(bytes: Buffer): Promise<string> {
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    socket.write(bytes)
  })
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`
}

function receiver(
  url: string,
  options: Partial<ZmtpDeviceReceiverOptions> & { slabs?: FrameSlabs } = {},
): { receiver: ZmtpDeviceReceiver; slabs: FrameSlabs; events: ZmtpConnectionEvent[] } {
  const slabs = options.slabs ?? new FrameSlabs({ slabBytes: 8 * MIB })
  const events: ZmtpConnectionEvent[] = []
  const r = new ZmtpDeviceReceiver({
    url,
    socketType: 'PULL',
    slabs,
    lostAfterMs: 60_000,
    reconnectMs: 20,
    reconnectMaxMs: 100,
    onConnection: (e) => events.push(e),
    ...options,
  })
  cleanups.push(() => r.close())
  r.start()
  return { receiver: r, slabs, events }
}

async function zmqPush(address = 'tcp://127.0.0.1:*'): Promise<Push> {
  const push = new Push({ linger: 0 })
  cleanups.push(() => push.close())
  await push.bind(address)
  return push
}

/** A message as short text for `toEqual`: sizes and a digest per part. */
function describeMessage(parts: readonly Uint8Array[]): string {
  return parts.map((p) => `${p.length}:${Buffer.from(p).toString('base64').slice(-24)}`).join(' ')
}

describe('ZmtpDeviceReceiver', () => {
  it('receives a PUSH device’s multi-part messages byte-exact and in order, reusing its slabs', async () => {
    const push = await zmqPush()
    const { receiver: r, slabs } = receiver(push.lastEndpoint!)
    const sizes = [
      [0],
      [1, 255, 256],
      [3 * MIB + 7],
      [17, 5 * MIB, 0, 256],
      ...Array.from({ length: 120 }, (_, i) => [40 + i, ((i * 7919) % 600) * 1024 + i]),
    ]
    const messages = sizes.map((m, i) => m.map((n, j) => pattern(n, i * 16 + j)))
    const expected = messages.map(describeMessage)
    const sending = (async () => {
      for (const m of messages) await push.send(m)
    })()
    const got: string[] = []
    for (let i = 0; i < messages.length; i++) {
      const parts = await r.receive(forever())
      got.push(describeMessage(parts))
      for (const part of parts) slabs.recycle(part)
    }
    await sending
    expect(got).toEqual(expected)
    expect(r.ready()).toBe(false)
    // ~43 MiB went through 8 MiB slabs: they were filled again, not allocated per message.
    const total = sizes.flat().reduce((a, b) => a + b, 0)
    expect(total).toBeGreaterThan(40 * MIB)
    expect(slabs.stats().slabsAllocated * 8 * MIB).toBeLessThan(total / 2)
    expect(r.stats).toMatchObject({ messages: messages.length, connections: 1, refused: 0 })
  })

  it('subscribes to everything on a PUB device', async () => {
    const pub = new Publisher({ linger: 0 })
    cleanups.push(() => pub.close())
    await pub.bind('tcp://127.0.0.1:*')
    const { receiver: r } = receiver(pub.lastEndpoint!, { socketType: 'SUB' })
    // A PUB drops what it publishes before the subscription arrived: publish until one comes.
    const first = r.receive(forever())
    let n = 0
    const timer = setInterval(() => void pub.send([Buffer.from(`hello ${n++}`)]), 10)
    cleanups.push(() => clearInterval(timer))
    const [part] = await first
    clearInterval(timer)
    expect(part!.toString()).toMatch(/^hello \d+$/)
    while (r.ready()) await r.receive(forever())
    await pub.send([Buffer.from('a'), pattern(300_000, 3)])
    const parts = await r.receive(forever())
    expect(describeMessage(parts)).toBe(describeMessage([Buffer.from('a'), pattern(300_000, 3)]))
  })

  it('keeps receiving from a device that restarts on the same port', async () => {
    const first = await zmqPush()
    const url = first.lastEndpoint!
    const { receiver: r, events } = receiver(url, { lostAfterMs: 30_000 })
    await first.send([Buffer.from('before')])
    expect((await r.receive(forever()))[0]!.toString()).toBe('before')
    first.close()
    await vi.waitFor(() => expect(events.map((e) => e.kind)).toContain('disconnected'))
    // The port is free again once libzmq let go of it: bind until it is.
    let second: Push | undefined
    await vi.waitFor(async () => {
      second = await zmqPush(url)
    })
    await second!.send([Buffer.from('after')])
    expect((await r.receive(forever()))[0]!.toString()).toBe('after')
    expect(r.stats.connections).toBe(2)
  })

  it('hands out what was queued, then says the device is lost after lostAfterMs away', async () => {
    const push = await zmqPush()
    const { receiver: r } = receiver(push.lastEndpoint!, { lostAfterMs: 200 })
    await push.send([Buffer.from('one')])
    await push.send([Buffer.from('two')])
    await vi.waitFor(() => expect(r.stats.messages).toBe(2))
    push.close()
    await vi.waitFor(() => expect(r.connected).toBe(false))
    expect((await r.receive(forever()))[0]!.toString()).toBe('one')
    expect((await r.receive(forever()))[0]!.toString()).toBe('two')
    const err = await r.receive(forever()).catch((e: unknown) => e)
    expect(isBeamloomError(err, 'UPSTREAM_CLOSED')).toBe(true)
    expect(String(err)).toMatch(/did not come back within 200 ms/)
  })

  it('waits for a device that is not there yet, as zmq connect does', async () => {
    const probe = await zmqPush()
    const url = probe.lastEndpoint!
    probe.close()
    const { receiver: r } = receiver(url, { lostAfterMs: 50 })
    const got = r.receive(forever())
    let push: Push | undefined
    await vi.waitFor(async () => {
      push = await zmqPush(url)
    })
    await push!.send([Buffer.from('late')])
    expect((await got)[0]!.toString()).toBe('late')
  })

  it('keeps a message that arrives after an aborted receive for the next one', async () => {
    const push = await zmqPush()
    const { receiver: r } = receiver(push.lastEndpoint!)
    const abort = new AbortController()
    const aborted = r.receive(abort.signal)
    abort.abort(new Error('stop'))
    await expect(aborted).rejects.toThrow('stop')
    await push.send([Buffer.from('kept')])
    await vi.waitFor(() => expect(r.ready()).toBe(true))
    // A receive whose signal already aborted takes nothing, even with a message queued.
    await expect(r.receive(abort.signal)).rejects.toThrow('stop')
    expect((await r.receive(forever()))[0]!.toString()).toBe('kept')
  })

  it('drops a peer that takes the connection but never greets, and tries again', async () => {
    const url = await rawDevice(Buffer.alloc(0))
    const { receiver: r, events } = receiver(url, { handshakeMs: 50 })
    await vi.waitFor(() => expect(r.stats.refused).toBeGreaterThanOrEqual(2))
    expect(events.find((e) => e.kind === 'refused')).toMatchObject({
      code: 'ZMTP_HANDSHAKE_TIMEOUT',
    })
  })

  it('rejects a waiting receive when closed', async () => {
    const push = await zmqPush()
    const { receiver: r } = receiver(push.lastEndpoint!)
    const waiting = r.receive(forever())
    r.close()
    const err = await waiting.catch((e: unknown) => e)
    expect(isBeamloomError(err, 'UPSTREAM_CLOSED')).toBe(true)
  })

  it('stops reading while its queue is full, so the device waits and nothing is dropped', async () => {
    const push = await zmqPush()
    const { receiver: r } = receiver(push.lastEndpoint!, { maxQueuedMessages: 4 })
    const count = 3000
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send([pattern(4096, i)])
    })()
    // Nobody reads: the queue fills to its bound, and the device's sends block on TCP.
    await vi.waitFor(() => expect(r.stats.messages).toBe(4))
    let order = 0
    while (order < count) {
      // Received and not handed out: never more than the queue's bound (and one in hand).
      expect(r.stats.messages - order).toBeLessThanOrEqual(5)
      const [part] = await r.receive(forever())
      expect(describeMessage([part!])).toBe(describeMessage([pattern(4096, order)]))
      order++
    }
    await sending
    expect(r.stats.messages).toBe(count)
  })

  it('bounds the bytes it reads ahead, not only the messages', async () => {
    const push = await zmqPush()
    const { receiver: r } = receiver(push.lastEndpoint!, { maxQueuedBytes: 3 * MIB })
    const count = 40
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send([pattern(MIB, i)])
    })()
    await vi.waitFor(() => expect(r.stats.messages).toBe(3))
    for (let i = 0; i < count; i++) {
      // At most 3 MiB queued, and the one taken into an empty queue.
      expect(r.stats.messages - i).toBeLessThanOrEqual(4)
      const [part] = await r.receive(forever())
      expect(part!.equals(pattern(MIB, i))).toBe(true)
    }
    await sending
  })

  it('drops a connection that sends junk before taking memory, and connects again', async () => {
    // Not a ZMTP greeting.
    const url = await rawDevice(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    const slabs = new FrameSlabs({ slabBytes: 1024 })
    const { receiver: r, events } = receiver(url, { slabs })
    await vi.waitFor(() => expect(r.stats.refused).toBeGreaterThanOrEqual(2))
    expect(events.find((e) => e.kind === 'refused')).toMatchObject({ code: 'ZMTP_BAD_GREETING' })
    expect(slabs.stats().slabsAllocated).toBe(0)
    expect(r.stats.messages).toBe(0)
  })

  it.each([
    [
      'a part claiming 1 GiB and one byte',
      Buffer.from([LONG, 0, 0, 0, 0, 0x40, 0, 0, 1]),
      'ZMTP_TOO_LARGE',
    ],
    [
      'a message of 65 parts',
      message(Array.from({ length: 65 }, () => Buffer.alloc(1))),
      'ZMTP_TOO_LARGE',
    ],
  ])('refuses %s by default, before taking memory for it', async (_, junk, code) => {
    const url = await rawDevice(Buffer.concat([greeting(), ready(), junk]))
    const slabs = new FrameSlabs({ slabBytes: 1024 })
    const { receiver: r, events } = receiver(url, { slabs })
    await vi.waitFor(() => expect(r.stats.refused).toBeGreaterThanOrEqual(1))
    expect(events.find((e) => e.kind === 'refused')).toMatchObject({ code })
    // The part claiming a GiB got no memory at all; the 64 parts before the 65th went back.
    expect(slabs.stats().oversizeParts).toBe(0)
    if (code === 'ZMTP_TOO_LARGE' && junk.length < 20) expect(slabs.stats().slabsAllocated).toBe(0)
    else expect(slabs.stats().partsRecycled).toBe(64 * r.stats.refused)
    expect(r.stats.messages).toBe(0)
  })

  it('refuses a message over maxMessageBytes before taking memory for it', async () => {
    const push = await zmqPush()
    const slabs = new FrameSlabs({ slabBytes: 1024 })
    const { receiver: r, events } = receiver(push.lastEndpoint!, { slabs, maxMessageBytes: 100 })
    await push.send([pattern(101, 1)])
    await vi.waitFor(() => expect(r.stats.refused).toBe(1))
    expect(events.find((e) => e.kind === 'refused')).toMatchObject({ code: 'ZMTP_TOO_LARGE' })
    expect(slabs.stats().slabsAllocated).toBe(0)
  })
})
