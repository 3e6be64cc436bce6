/**
 * A ZMTP PUSH that binds a TCP port and sends to the PULL peers that connect (as a worker's
 * PULL connects to an ingester), round-robin over those that completed the handshake.
 *
 * A message is written as frame headers and the caller's own part buffers, uncopied, in one
 * `writev` (`cork`/`uncork`). The write callback (`onWritten`) says when the kernel has the
 * bytes, so a caller sending views of a {@link SlabPool} releases them there. `send` resolves
 * once the chosen socket is below its high-water mark again ('drain'). Like libzmq's PUSH, it
 * waits while no peer is connected. No reconnects, no ROUTER/DEALER, no CURVE.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { formatTcpEndpoint, ZmtpError } from '../../src/zmtp.js'
import { PushPeer, type WrittenCallback } from './push-peer.js'

export type { WrittenCallback } from './push-peer.js'

/** Options of {@link createZmtpPush}. */
export interface ZmtpPushOptions {
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string
  /** Port (default 0: one the system picks; read `endpoint` after `start()`). */
  readonly port?: number
  /** Time a connecting peer has for the greeting and READY, ms (default 5,000). */
  readonly handshakeMs?: number
  /** Largest command accepted from a peer, bytes (default 4 KiB). */
  readonly maxCommandBytes?: number
  /** How long `close()` lets queued writes drain before dropping connections, ms (default 1,000). */
  readonly lingerMs?: number
}

/** Counts since start. */
export interface ZmtpPushStats {
  /** Peers that completed the handshake and are still connected. */
  readonly peers: number
  /** Connections accepted since start. */
  readonly connections: number
  /** Connections closed for a protocol violation or a handshake timeout. */
  readonly refused: number
  readonly messages: number
  /** Bytes of all parts of all messages sent. */
  readonly bytes: number
  /** PINGs answered. */
  readonly pings: number
}

/** A bound PUSH (see {@link createZmtpPush}). */
export interface ZmtpPush {
  readonly state: 'idle' | 'starting' | 'running' | 'closing' | 'closed'
  /** `tcp://host:port` bound, once started. */
  readonly endpoint: string
  /** Bind and listen. Rejects (and closes) when the port cannot be bound. */
  start(): Promise<void>
  /**
   * Send one message (at least one part) to the next ready peer, waiting for one if there is
   * none. `onWritten` runs once, when the bytes left for the kernel or the connection failed;
   * until then the parts must not change. Resolves when that peer's socket can take more;
   * rejects with `ZMTP_STATE` when the PUSH is closed.
   */
  send(parts: readonly Uint8Array[], onWritten?: WrittenCallback): Promise<void>
  /** Stop listening, end every connection after its queued writes (or `lingerMs`). Idempotent. */
  close(): Promise<void>
  /** Settles once when closed: `undefined`, or why listening failed. Never rejects. */
  readonly closed: Promise<Error | undefined>
  readonly stats: ZmtpPushStats
}

/** A PUSH that binds `options.host`:`options.port` (see the module comment); call `start()`. */
export function createZmtpPush(options: ZmtpPushOptions = {}): ZmtpPush {
  return new PushListener(options)
}

const RESOLVED = Promise.resolve()

class PushListener implements ZmtpPush {
  state: ZmtpPush['state'] = 'idle'
  endpoint = ''
  readonly closed: Promise<Error | undefined>
  readonly #options: ZmtpPushOptions
  readonly #server: Server
  readonly #connections = new Set<PushPeer>()
  readonly #ready: PushPeer[] = []
  #next = 0
  #waiting: { resolve: () => void; reject: (err: Error) => void }[] = []
  #settleClosed: (err: Error | undefined) => void = () => {}
  #refused = 0
  #accepted = 0
  #messages = 0
  #bytes = 0
  #pings = 0

  constructor(options: ZmtpPushOptions) {
    this.#options = options
    this.#server = createServer((socket) => this.#accept(socket))
    this.closed = new Promise((resolve) => {
      this.#settleClosed = resolve
    })
  }

  get stats(): ZmtpPushStats {
    return {
      peers: this.#ready.length,
      connections: this.#accepted,
      refused: this.#refused,
      messages: this.#messages,
      bytes: this.#bytes,
      pings: this.#pings,
    }
  }

  start(): Promise<void> {
    if (this.state !== 'idle') {
      return Promise.reject(new ZmtpError('ZMTP_STATE', `start() while ${this.state}`))
    }
    this.state = 'starting'
    const host = this.#options.host ?? '127.0.0.1'
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.state = 'closed'
        this.#settleClosed(err)
        reject(err)
      }
      this.#server.once('error', onError)
      this.#server.listen(this.#options.port ?? 0, host, () => {
        this.#server.off('error', onError)
        const address = this.#server.address()
        const port = typeof address === 'object' && address !== null ? address.port : 0
        this.endpoint = formatTcpEndpoint(host, port)
        this.state = 'running'
        resolve()
      })
    })
  }

  send(parts: readonly Uint8Array[], onWritten?: WrittenCallback): Promise<void> {
    if (this.state !== 'running') {
      return Promise.reject(new ZmtpError('ZMTP_STATE', `send() while ${this.state}`))
    }
    if (parts.length === 0) {
      return Promise.reject(new ZmtpError('ZMTP_STATE', 'a message has at least one part'))
    }
    const peer = this.#pick()
    if (peer === undefined) {
      return new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject })).then(
        () => this.send(parts, onWritten),
      )
    }
    this.#messages++
    for (const p of parts) this.#bytes += p.length
    return peer.write(parts, onWritten) ? RESOLVED : peer.drained()
  }

  async close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') {
      await this.closed
      return
    }
    this.state = 'closing'
    for (const w of this.#waiting.splice(0)) w.reject(new ZmtpError('ZMTP_STATE', 'PUSH closed'))
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    const lingerMs = this.#options.lingerMs ?? 1000
    await Promise.all([...this.#connections].map((p) => p.end(lingerMs)))
    await stopped
    this.state = 'closed'
    this.#settleClosed(undefined)
  }

  /** The next ready peer round-robin, preferring one whose socket is not full. */
  #pick(): PushPeer | undefined {
    const n = this.#ready.length
    for (let i = 0; i < n; i++) {
      const peer = this.#ready[(this.#next + i) % n]!
      if (!peer.full) {
        this.#next = (this.#next + i + 1) % n
        return peer
      }
    }
    if (n === 0) return undefined
    const peer = this.#ready[this.#next % n]
    this.#next = (this.#next + 1) % n
    return peer
  }

  #accept(socket: Socket): void {
    if (this.state !== 'running') {
      socket.destroy()
      return
    }
    this.#accepted++
    const peer = new PushPeer(
      socket,
      this.#options.handshakeMs ?? 5000,
      this.#options.maxCommandBytes ?? 4096,
      {
        ready: (p) => {
          this.#ready.push(p)
          for (const w of this.#waiting.splice(0)) w.resolve()
        },
        ping: () => {
          this.#pings++
        },
        gone: (p, err) => {
          this.#connections.delete(p)
          const i = this.#ready.indexOf(p)
          if (i >= 0) this.#ready.splice(i, 1)
          if (err instanceof ZmtpError && err.code !== 'ZMTP_PEER_CLOSED') this.#refused++
        },
      },
    )
    this.#connections.add(peer)
  }
}
