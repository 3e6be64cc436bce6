/**
 * A ZMTP PULL that connects to a bound PUSH (as an ingester connects to a detector) and
 * receives into a {@link SlabPool} without allocating memory per frame.
 *
 * The socket is a `net.Socket` made with the `onread` option: the kernel fills one read
 * buffer, allocated with the connection, over and over; the decoder copies each part's bytes
 * from it into a view of the pool. When the pool has no room (every slab held by messages not
 * yet released) or `maxQueuedMessages` complete messages wait for `receive()`, the socket
 * stops reading: the rest of the last read is kept in a second buffer of the same size, and
 * TCP pushes back on the sender. Nothing grows with what the peer sends.
 */
import { connect, type Socket } from 'node:net'
import {
  encodeErrorCommand,
  encodeGreeting,
  encodePong,
  encodeReady,
  formatTcpEndpoint,
  type PeerGreeting,
  parseTcpEndpoint,
  ZmtpDecoder,
  type ZmtpDecoderEvents,
  ZmtpError,
} from '../../src/zmtp.js'
import type { PooledMessage, SlabPool } from './slab-pool.js'

/** Options of {@link createZmtpPull}. */
export interface ZmtpPullOptions {
  /** `tcp://host:port` of a bound PUSH. */
  readonly endpoint: string
  /** Where message parts go. A pool may serve several connections. */
  readonly pool: SlabPool
  /** Most parts per message (default 16). */
  readonly maxParts?: number
  /**
   * Largest message, bytes (default: what a slab holds with `maxParts` parts aligned). A larger
   * one closes the connection with `ZMTP_TOO_LARGE`. Must fit one slab with that alignment.
   */
  readonly maxMessageBytes?: number
  /** Largest command (READY, PING…), bytes (default 4 KiB). */
  readonly maxCommandBytes?: number
  /** Size of the one read buffer, bytes (default 256 KiB). */
  readonly readBufferBytes?: number
  /** Time for the greeting and READY exchange, ms (default 5,000). */
  readonly handshakeMs?: number
  /** Complete messages kept for `receive()` before the socket stops reading (default 64). */
  readonly maxQueuedMessages?: number
}

/** Counts since start. */
export interface ZmtpPullStats {
  readonly messages: number
  /** Bytes of all parts of all messages. */
  readonly bytes: number
  /** PINGs answered. */
  readonly pings: number
  /** Times the socket stopped reading for want of pool room or queue space. */
  readonly stalls: number
  /** The peer's greeting, once received. */
  readonly peer: PeerGreeting | undefined
}

/** A connected PULL (see {@link createZmtpPull}). */
export interface ZmtpPull extends AsyncIterable<PooledMessage> {
  readonly state: 'idle' | 'starting' | 'running' | 'closing' | 'closed'
  /** `tcp://host:port` connected to. */
  readonly endpoint: string
  /**
   * Connect and complete the handshake. Rejects with a {@link ZmtpError} (`ZMTP_BAD_GREETING`,
   * `ZMTP_BAD_VERSION`, `ZMTP_BAD_MECHANISM`, `ZMTP_BAD_SOCKET_TYPE`, `ZMTP_PROTOCOL`,
   * `ZMTP_HANDSHAKE_TIMEOUT`, `ZMTP_PEER_CLOSED` when the connection fails) and closes.
   */
  start(): Promise<void>
  /**
   * The next complete message, or `undefined` once the connection ended and nothing is left.
   * The caller owns the message and must `release()` it.
   */
  receive(): Promise<PooledMessage | undefined>
  /** Close the connection; messages not yet received are released. Idempotent. */
  close(): Promise<void>
  /** Settles once when the connection ends: `undefined` after `close()`, else why. Never rejects. */
  readonly closed: Promise<Error | undefined>
  readonly stats: ZmtpPullStats
}

/** A PULL connecting to `options.endpoint` (see the module comment); call `start()`. */
export function createZmtpPull(options: ZmtpPullOptions): ZmtpPull {
  return new PullConnection(options)
}

const ALIGN = 64

class PullConnection implements ZmtpPull {
  state: ZmtpPull['state'] = 'idle'
  readonly endpoint: string
  readonly closed: Promise<Error | undefined>
  readonly #host: string
  readonly #port: number
  readonly #pool: SlabPool
  readonly #handshakeMs: number
  readonly #maxQueued: number
  readonly #decoder: ZmtpDecoder
  readonly #readBuffer: Buffer
  readonly #stash: Buffer
  #stashStart = 0
  #stashEnd = 0
  #socket: Socket | undefined
  #timer: NodeJS.Timeout | undefined
  #started: { resolve: () => void; reject: (err: Error) => void } | undefined
  #settleClosed: (err: Error | undefined) => void = () => {}
  #message: PooledMessage | undefined
  readonly #queue: PooledMessage[] = []
  readonly #receivers: ((m: PooledMessage | undefined) => void)[] = []
  #paused = false
  #refusedBy: 'pool' | 'queue' | undefined
  #decoding = false
  #ended = false
  #messages = 0
  #bytes = 0
  #pings = 0
  #stalls = 0
  #peer: PeerGreeting | undefined

  constructor(options: ZmtpPullOptions) {
    const { host, port } = parseTcpEndpoint(options.endpoint)
    this.#host = host
    this.#port = port
    this.endpoint = formatTcpEndpoint(host, port)
    this.#pool = options.pool
    const maxParts = options.maxParts ?? 16
    const fits = options.pool.slabBytes - maxParts * ALIGN
    const maxMessageBytes = options.maxMessageBytes ?? fits
    // Then a message spans at most two slabs, and can always complete once others are released.
    if (!(maxParts >= 1 && maxMessageBytes >= 0 && maxMessageBytes <= fits)) {
      throw new ZmtpError(
        'ZMTP_CONFIG',
        `maxMessageBytes ${maxMessageBytes} with ${maxParts} parts does not fit a slab of ${options.pool.slabBytes} bytes`,
      )
    }
    this.#handshakeMs = options.handshakeMs ?? 5000
    this.#maxQueued = options.maxQueuedMessages ?? 64
    const readBufferBytes = options.readBufferBytes ?? 256 * 1024
    this.#readBuffer = Buffer.allocUnsafeSlow(readBufferBytes)
    this.#stash = Buffer.allocUnsafeSlow(readBufferBytes)
    this.#decoder = new ZmtpDecoder(
      'PULL',
      { maxMessageBytes, maxParts, maxCommandBytes: options.maxCommandBytes ?? 4096 },
      this.#events(),
    )
    this.closed = new Promise((resolve) => {
      this.#settleClosed = resolve
    })
  }

  get stats(): ZmtpPullStats {
    return {
      messages: this.#messages,
      bytes: this.#bytes,
      pings: this.#pings,
      stalls: this.#stalls,
      peer: this.#peer,
    }
  }

  start(): Promise<void> {
    if (this.state !== 'idle') {
      return Promise.reject(new ZmtpError('ZMTP_STATE', `start() while ${this.state}`))
    }
    this.state = 'starting'
    return new Promise((resolve, reject) => {
      this.#started = { resolve, reject }
      const socket = connect({
        host: this.#host,
        port: this.#port,
        onread: { buffer: this.#readBuffer, callback: (n) => this.#onRead(n) },
      })
      this.#socket = socket
      socket.setNoDelay(true)
      socket.on('error', (err) => {
        this.#fail(
          new ZmtpError('ZMTP_PEER_CLOSED', `${this.endpoint}: ${err.message}`, { cause: err }),
        )
      })
      socket.on('close', () => {
        this.#fail(new ZmtpError('ZMTP_PEER_CLOSED', `${this.endpoint} closed the connection`))
      })
      // Flowing, so that the peer's end of stream is seen ('end', then 'close').
      socket.resume()
      socket.write(encodeGreeting())
      this.#timer = setTimeout(() => {
        this.#fail(
          new ZmtpError(
            'ZMTP_HANDSHAKE_TIMEOUT',
            `no greeting and READY in ${this.#handshakeMs} ms`,
          ),
        )
      }, this.#handshakeMs)
    })
  }

  receive(): Promise<PooledMessage | undefined> {
    const next = this.#queue.shift()
    if (next !== undefined) {
      if (this.#refusedBy === 'queue') this.#unblock()
      return Promise.resolve(next)
    }
    if (this.#ended) return Promise.resolve(undefined)
    return new Promise((resolve) => this.#receivers.push(resolve))
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PooledMessage, void, undefined> {
    for (;;) {
      const message = await this.receive()
      if (message === undefined) return
      yield message
    }
  }

  close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return this.closed.then(() => {})
    this.state = 'closing'
    for (const m of this.#queue.splice(0)) m.release()
    this.#end(undefined)
    return this.closed.then(() => {})
  }

  #events(): ZmtpDecoderEvents {
    return {
      greeting: (peer) => {
        this.#peer = peer
        // NULL mechanism: the connecting peer (the client) sends READY first.
        this.#socket?.write(encodeReady('PULL'))
      },
      ready: () => {
        clearTimeout(this.#timer)
        this.state = 'running'
        this.#started?.resolve()
        this.#started = undefined
      },
      ping: (context) => {
        this.#pings++
        this.#socket?.write(encodePong(context))
      },
      partStart: (size) => {
        if (this.#message === undefined) {
          if (this.#queue.length >= this.#maxQueued) {
            this.#refusedBy = 'queue'
            return undefined
          }
          this.#message = this.#pool.message()
        }
        const view = this.#pool.allocate(this.#message, size)
        if (view === undefined) this.#refusedBy = 'pool'
        return view
      },
      partEnd: (more) => {
        if (more) return
        const message = this.#message!
        this.#message = undefined
        this.#messages++
        this.#bytes += message.byteLength
        const receiver = this.#receivers.shift()
        if (receiver !== undefined) receiver(message)
        else this.#queue.push(message)
      },
    }
  }

  /** The `onread` callback: `false` stops reading until {@link #unblock}. */
  #onRead(n: number): boolean {
    if (this.#ended) return false
    let consumed: number
    this.#decoding = true
    try {
      consumed = this.#decoder.write(this.#readBuffer, 0, n)
    } catch (err) {
      this.#fail(err)
      return false
    } finally {
      this.#decoding = false
    }
    if (!this.#decoder.waitingForSpace) return true
    // Keep what the decoder could not take yet; the read buffer is refilled on the next read.
    this.#stashStart = 0
    this.#stashEnd = this.#readBuffer.copy(this.#stash, 0, consumed, n)
    this.#stall()
    return false
  }

  #stall(): void {
    if (!this.#paused) this.#stalls++
    this.#paused = true
    // A full queue is unblocked by `receive()`; a full pool by a release.
    if (this.#refusedBy === 'pool') this.#pool.whenSpace(() => this.#unblock())
  }

  /** Room may have been made: decode what was kept, and read again if all of it went in. */
  #unblock(): void {
    if (!this.#paused || this.#decoding || this.#ended) return
    this.#refusedBy = undefined
    this.#decoding = true
    try {
      this.#stashStart += this.#decoder.write(this.#stash, this.#stashStart, this.#stashEnd)
    } catch (err) {
      this.#fail(err)
      return
    } finally {
      this.#decoding = false
    }
    if (this.#decoder.waitingForSpace) {
      this.#stall()
      return
    }
    this.#stashStart = 0
    this.#stashEnd = 0
    this.#paused = false
    this.#socket?.resume()
  }

  #fail(cause: unknown): void {
    if (this.#ended) return
    const err =
      cause instanceof Error ? cause : new ZmtpError('ZMTP_PROTOCOL', String(cause), { cause })
    // Tell a peer that got as far as a greeting why (best effort: RFC 37 "Error Handling").
    if (this.#peer !== undefined && err instanceof ZmtpError && err.code !== 'ZMTP_PEER_CLOSED') {
      this.#socket?.write(encodeErrorCommand(err.message))
    }
    this.#end(err)
  }

  #end(err: Error | undefined): void {
    this.#ended = true
    clearTimeout(this.#timer)
    this.#socket?.destroy()
    this.#message?.release()
    this.#message = undefined
    if (this.#started !== undefined) {
      this.#started.reject(err ?? new ZmtpError('ZMTP_STATE', 'closed during start()'))
      this.#started = undefined
    }
    for (const r of this.#receivers.splice(0)) r(undefined)
    this.state = 'closed'
    this.#settleClosed(err)
  }
}
