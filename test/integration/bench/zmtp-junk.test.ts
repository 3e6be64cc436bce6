// The bench ZMTP implementation (bench/zmtp/) given junk on raw TCP sockets: it refuses with an
// error code and closes the connection, without waiting for more and without taking memory for
// what it refused.
import { connect, createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Pull } from 'zeromq'
import {
  createZmtpPull,
  createZmtpPush,
  SlabPool,
  type ZmtpErrorCode,
  type ZmtpPush,
} from '../../../bench/zmtp/index.js'
import { COMMAND, command, greeting, LONG, message, ready } from '../../harness/zmtp-bytes.js'

const MIB = 1 << 20
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface FakePeer {
  readonly endpoint: string
  /** Resolves when the connection to the fake peer closed (from either side). */
  readonly connectionClosed: Promise<void>
}

/** A TCP server that plays a bound PUSH: `script` writes whatever it likes to the connection. */
async function fakePush(script: (socket: Socket) => void): Promise<FakePeer> {
  let closed: () => void = () => {}
  const connectionClosed = new Promise<void>((resolve) => {
    closed = resolve
  })
  const server: Server = createServer((socket) => {
    // EPIPE/ECONNRESET once the PULL hung up are what these tests provoke.
    socket.on('error', () => {})
    socket.on('close', closed)
    // Reading, so that the PULL's hang-up is seen.
    socket.resume()
    script(socket)
  })
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { endpoint: `tcp://127.0.0.1:${port}`, connectionClosed }
}

function pool(): SlabPool {
  return new SlabPool({ slabBytes: 4 * MIB, slabCount: 2 })
}

describe('bench ZMTP PULL refuses a peer that is not a ZMTP 3 NULL PUSH', () => {
  it.each<[string, Buffer, ZmtpErrorCode]>([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'ZMTP_BAD_GREETING'],
    ['a ZMTP 2.0 greeting', greeting({ major: 1 }).subarray(0, 14), 'ZMTP_BAD_VERSION'],
    ['mechanism CURVE', greeting({ mechanism: 'CURVE' }), 'ZMTP_BAD_MECHANISM'],
    [
      'a PUB socket',
      Buffer.concat([greeting(), ready([['Socket-Type', 'PUB']])]),
      'ZMTP_BAD_SOCKET_TYPE',
    ],
    [
      'a message before READY',
      Buffer.concat([greeting(), message([Buffer.from('x')])]),
      'ZMTP_PROTOCOL',
    ],
    [
      'a handshake command of 1 GiB',
      Buffer.concat([greeting(), Buffer.from([COMMAND | LONG, 0, 0, 0, 0, 0x40, 0, 0, 0])]),
      'ZMTP_TOO_LARGE',
    ],
  ])('%s: start() rejects, and the connection closes', async (_, junk, code) => {
    // The fake peer writes its junk and then keeps the connection open: the PULL must not wait.
    const peer = await fakePush((socket) => socket.write(junk))
    const slabs = pool()
    const pull = createZmtpPull({ endpoint: peer.endpoint, pool: slabs, handshakeMs: 30_000 })
    cleanups.push(() => pull.close())
    await expect(pull.start()).rejects.toMatchObject({ code })
    await peer.connectionClosed
    expect(await pull.closed).toMatchObject({ code })
    expect(slabs.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0, slabCount: 2 })
  })

  it('a greeting that never completes: start() rejects after handshakeMs', async () => {
    const peer = await fakePush((socket) => socket.write(greeting().subarray(0, 11)))
    const pull = createZmtpPull({ endpoint: peer.endpoint, pool: pool(), handshakeMs: 200 })
    cleanups.push(() => pull.close())
    await expect(pull.start()).rejects.toMatchObject({ code: 'ZMTP_HANDSHAKE_TIMEOUT' })
    await peer.connectionClosed
  })

  it('an oversize frame after the handshake: closes at its header, not after 256 MiB of body', async () => {
    let written = 0
    let stoppedBy = ''
    const peer = await fakePush((socket) => {
      socket.write(Buffer.concat([greeting(), ready()]))
      // A message part announced as 1 GiB (over the 4 MiB a slab holds), then its "body".
      socket.write(Buffer.from([LONG, 0, 0, 0, 0, 0x40, 0, 0, 0]))
      const chunk = Buffer.alloc(MIB, 0xab)
      const pump = (): void => {
        while (written < 256 * MIB) {
          if (socket.destroyed) return
          written += chunk.length
          if (!socket.write(chunk)) {
            socket.once('drain', pump)
            return
          }
        }
        stoppedBy = 'written all'
      }
      socket.on('close', () => {
        stoppedBy ||= 'closed'
      })
      pump()
    })
    const slabs = pool()
    const pull = createZmtpPull({ endpoint: peer.endpoint, pool: slabs })
    cleanups.push(() => pull.close())
    await pull.start()
    expect(await pull.closed).toMatchObject({ code: 'ZMTP_TOO_LARGE' })
    await peer.connectionClosed
    expect(stoppedBy).toBe('closed')
    expect(await pull.receive()).toBeUndefined()
    expect(pull.stats).toMatchObject({ messages: 0, bytes: 0 })
    expect(slabs.stats()).toMatchObject({ heldSlabs: 0, heldBytes: 0, slabCount: 2 })
  })

  it('a message of more parts than maxParts', async () => {
    const parts = Array.from({ length: 5 }, () => Buffer.alloc(0))
    const peer = await fakePush((socket) =>
      socket.write(Buffer.concat([greeting(), ready(), message(parts)])),
    )
    const pull = createZmtpPull({ endpoint: peer.endpoint, pool: pool(), maxParts: 4 })
    cleanups.push(() => pull.close())
    await pull.start()
    expect(await pull.closed).toMatchObject({ code: 'ZMTP_TOO_LARGE' })
  })

  it('a peer that connects nowhere: start() rejects with ZMTP_PEER_CLOSED', async () => {
    const peer = await fakePush((socket) => socket.destroy())
    const pull = createZmtpPull({ endpoint: peer.endpoint, pool: pool() })
    cleanups.push(() => pull.close())
    await expect(pull.start()).rejects.toMatchObject({ code: 'ZMTP_PEER_CLOSED' })
  })
})

describe('bench ZMTP PUSH refuses junk connections and keeps serving', () => {
  async function push(): Promise<ZmtpPush> {
    const p = createZmtpPush({ handshakeMs: 30_000 })
    cleanups.push(() => p.close())
    await p.start()
    return p
  }

  /** Connect a raw socket to `push`, write `junk`, resolve when the PUSH closed it. */
  function junkClient(push: ZmtpPush, junk: Buffer): Promise<void> {
    const { port } = new URL(push.endpoint.replace('tcp:', 'http:'))
    const socket = connect(Number(port), '127.0.0.1')
    socket.on('error', () => {}) // ECONNRESET when the PUSH hangs up is what this provokes
    socket.resume()
    socket.write(junk)
    return new Promise((resolve) => socket.once('close', () => resolve()))
  }

  it.each<[string, Buffer]>([
    ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['a PUSH socket', Buffer.concat([greeting(), ready([['Socket-Type', 'PUSH']])])],
    [
      'a PULL that sends a message',
      Buffer.concat([greeting(), ready([['Socket-Type', 'PULL']]), message([Buffer.from('x')])]),
    ],
    [
      'a command of 4 GiB',
      Buffer.concat([greeting(), Buffer.from([COMMAND | LONG, 0, 0, 0, 1, 0, 0, 0, 0])]),
    ],
    ['PLAIN', greeting({ mechanism: 'PLAIN' })],
  ])('%s', async (_, junk) => {
    const p = await push()
    await junkClient(p, junk)
    expect(p.stats).toMatchObject({ peers: 0, refused: 1 })
    const pull = new Pull()
    cleanups.push(() => pull.close())
    pull.connect(p.endpoint)
    await p.send([Buffer.from('still'), Buffer.from('here')])
    expect((await pull.receive()).map(String)).toEqual(['still', 'here'])
    await vi.waitFor(() => expect(p.stats.peers).toBe(1))
  })

  it('tolerates unknown commands from a PULL (SUBSCRIBE means nothing to it)', async () => {
    const p = await push()
    const { port } = new URL(p.endpoint.replace('tcp:', 'http:'))
    const socket = connect(Number(port), '127.0.0.1')
    cleanups.push(() => socket.destroy())
    socket.write(
      Buffer.concat([greeting(), ready([['Socket-Type', 'PULL']]), command('SUBSCRIBE')]),
    )
    await vi.waitFor(() => expect(p.stats).toMatchObject({ peers: 1, refused: 0 }))
  })
})
