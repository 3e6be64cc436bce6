// The bench ZMTP implementation (bench/zmtp/) against real libzmq, through zeromq.js, in both
// directions: zeromq.js PUSH → our PULL, our PUSH → zeromq.js PULL, and our PUSH → our PULL.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Pull, Push } from 'zeromq'
import {
  createZmtpPull,
  createZmtpPush,
  SlabPool,
  type ZmtpPull,
  type ZmtpPush,
} from '../../../bench/zmtp/index.js'
import { pattern } from '../../harness/zmtp-bytes.js'

const MIB = 1 << 20
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/**
 * Part sizes: empty, one byte, the short/long frame boundary (255 and 256), multi-MiB, and
 * multi-part mixes of them; then enough mid-sized messages to go round a small pool many times.
 */
function messageSizes(): number[][] {
  const fixed = [
    [0],
    [1],
    [255],
    [256],
    [0, 1, 255, 256],
    [3 * MIB + 7],
    [17, 5 * MIB, 0, 256],
    [2, 254, 255, 256, 257],
  ]
  const more = Array.from({ length: 80 }, (_, i) => [40 + i, ((i * 7919) % 600) * 1024 + i])
  return [...fixed, ...more]
}

/** Fresh buffers per message (zeromq.js keeps a reference to parts over 128 bytes). */
function messagesFor(sizes: readonly number[][]): Buffer[][] {
  return sizes.map((m, i) => m.map((n, j) => pattern(n, i * 16 + j)))
}

/** A message as short text for `toEqual`: sizes and a digest per part. */
function describeMessage(parts: readonly Uint8Array[]): string {
  return parts.map((p) => `${p.length}:${Buffer.from(p).toString('base64').slice(-24)}`).join(' ')
}

function pool(): SlabPool {
  // Two slabs of 8 MiB: the 80 mid-sized messages alone take both of them many times over.
  return new SlabPool({ slabBytes: 8 * MIB, slabCount: 2 })
}

async function ownPull(endpoint: string, slabs = pool()): Promise<ZmtpPull> {
  const pull = createZmtpPull({ endpoint, pool: slabs })
  cleanups.push(() => pull.close())
  await pull.start()
  return pull
}

async function ownPush(): Promise<ZmtpPush> {
  const push = createZmtpPush()
  cleanups.push(() => push.close())
  await push.start()
  return push
}

async function zmqPush(options: ConstructorParameters<typeof Push>[0] = {}): Promise<Push> {
  const push = new Push(options)
  cleanups.push(() => push.close())
  await push.bind('tcp://127.0.0.1:*')
  return push
}

function zmqPull(endpoint: string, options: ConstructorParameters<typeof Pull>[0] = {}): Pull {
  const pull = new Pull(options)
  cleanups.push(() => pull.close())
  pull.connect(endpoint)
  return pull
}

/** Receive `count` messages from our PULL, checking each byte-exact and releasing it. */
async function receiveAll(pull: ZmtpPull, expected: readonly Buffer[][]): Promise<void> {
  for (const [i, want] of expected.entries()) {
    const got = await pull.receive()
    expect(got, `message ${i}`).toBeDefined()
    expect(describeMessage(got!.parts), `message ${i}`).toBe(describeMessage(want))
    expect(
      got!.parts.every((p, j) => p.equals(want[j]!)),
      `message ${i} bytes`,
    ).toBe(true)
    got!.release()
  }
}

describe('zeromq.js PUSH → bench ZMTP PULL', () => {
  it('receives multi-part messages byte-exact, in order, with 0 B to 5 MiB parts', async () => {
    const push = await zmqPush()
    const slabs = pool()
    const pull = await ownPull(push.lastEndpoint!, slabs)
    expect(pull.stats.peer).toMatchObject({ major: 3, minor: 1 })
    const messages = messagesFor(messageSizes())
    const sent = (async () => {
      for (const m of messages) await push.send(m)
    })()
    await receiveAll(pull, messages)
    await sent
    expect(pull.stats.messages).toBe(messages.length)
    expect(slabs.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0 })
  })

  it('answers the PINGs of a zeromq.js PUSH with heartbeats, and keeps receiving', async () => {
    // Without a PONG, libzmq drops the connection heartbeatTimeout after a PING (our PULL
    // sends nothing else), long before the 75th PING.
    const push = await zmqPush({ heartbeatInterval: 20, heartbeatTimeout: 1000 })
    const pull = await ownPull(push.lastEndpoint!)
    const outcome = await Promise.race([
      vi
        .waitFor(() => expect(pull.stats.pings).toBeGreaterThanOrEqual(75), { timeout: 20_000 })
        .then(() => 'pinged'),
      pull.closed.then((err) => `closed: ${err?.message}`),
    ])
    expect(outcome).toBe('pinged')
    const messages = messagesFor([[3, 300], [MIB]])
    for (const m of messages) await push.send(m)
    await receiveAll(pull, messages)
    expect(pull.state).toBe('running')
  })
})

describe('bench ZMTP PUSH → zeromq.js PULL', () => {
  it('sends multi-part messages byte-exact, in order, with 0 B to 5 MiB parts', async () => {
    const push = await ownPush()
    const pull = zmqPull(push.endpoint)
    const messages = messagesFor(messageSizes())
    let written = 0
    const sent = (async () => {
      for (const m of messages) {
        await push.send(m, (err) => {
          expect(err).toBeUndefined()
          written++
        })
      }
    })()
    for (const [i, want] of messages.entries()) {
      const got = await pull.receive()
      expect(describeMessage(got), `message ${i}`).toBe(describeMessage(want))
      expect(
        got.every((p, j) => p.equals(want[j]!)),
        `message ${i} bytes`,
      ).toBe(true)
    }
    await sent
    await vi.waitFor(() => expect(written).toBe(messages.length))
  })

  it('answers the PINGs of a zeromq.js PULL with heartbeats, and keeps sending', async () => {
    const push = await ownPush()
    // Without a PONG, libzmq drops the connection heartbeatTimeout after a PING and connects
    // again: the PINGs would go on, over a second connection.
    const pull = zmqPull(push.endpoint, { heartbeatInterval: 20, heartbeatTimeout: 1000 })
    await vi.waitFor(() => expect(push.stats.pings).toBeGreaterThanOrEqual(75), {
      timeout: 20_000,
    })
    expect(push.stats).toMatchObject({ peers: 1, connections: 1, refused: 0 })
    const messages = messagesFor([[3, 300], [MIB]])
    for (const m of messages) await push.send(m)
    for (const want of messages)
      expect(describeMessage(await pull.receive())).toBe(describeMessage(want))
  })

  it('waits for a peer before sending, and sends round-robin to two', async () => {
    const push = await ownPush()
    const first = push.send([Buffer.from('m0')])
    const one = zmqPull(push.endpoint)
    await first
    expect((await one.receive()).map(String)).toEqual(['m0'])
    const two = zmqPull(push.endpoint)
    await vi.waitFor(() => expect(push.stats.peers).toBe(2))
    for (let i = 1; i <= 4; i++) await push.send([Buffer.from(`m${i}`)])
    // zeromq.js allows one receive at a time per socket.
    const seen: string[] = []
    for (const pull of [one, one, two, two]) seen.push(String(await pull.receive()))
    expect(seen).toEqual(['m1', 'm3', 'm2', 'm4'])
  })
})

describe('bench ZMTP PUSH → bench ZMTP PULL', () => {
  it('carries the same messages byte-exact', async () => {
    const push = await ownPush()
    const slabs = pool()
    const pullReady = ownPull(push.endpoint, slabs)
    const messages = messagesFor(messageSizes())
    const sent = (async () => {
      for (const m of messages) await push.send(m)
    })()
    await receiveAll(await pullReady, messages)
    await sent
    expect(slabs.stats().heldBytes).toBe(0)
  })
})
