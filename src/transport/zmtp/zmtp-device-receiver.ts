/**
 * The ingester's receiving socket for one device, in our own ZMTP 3.1 (NULL mechanism) over
 * `node:net`, instead of a zeromq.js PULL or SUB (issue 14): each message part is copied from one
 * reused read buffer into memory of a {@link FrameSlabs}, which is reused once the ingester hands
 * the part back, so receiving allocates no memory per frame and sets off no collections.
 *
 * It behaves like the zeromq.js socket it replaces, as the device sees it: it connects (the
 * device binds), reconnects with back-off while the device is away, answers PINGs, a SUB
 * subscribes to everything, a message cut off by a dropped connection is discarded whole, and
 * junk from the peer (a bad greeting, a frame over the limits, a protocol violation) drops that
 * connection before memory is taken for it, then reconnects. Complete messages wait in a queue
 * of at most `maxQueuedMessages` and `maxQueuedBytes`; while it is full the socket stops
 * reading, and TCP pushes back on the device (as zmq's high-water mark does for a PUSH; a PUB
 * drops on its side once its own queue is full).
 *
 * A worker uses it as a DEALER towards an ingester's ROUTER (`socketType: 'DEALER'` with its
 * name as `identity`): the same receive, and {@link ZmtpDeviceReceiver.send} for its few small
 * messages (hello and goodbye).
 */
import { connect, type Socket } from 'node:net'
import { UpstreamClosedError } from '../../errors.js'
import type { PartMemory } from './frame-slabs.js'
import { parseTcpEndpoint } from './tcp-endpoint.js'
import { ZmtpDecoder } from './zmtp-decoder.js'
import { ZmtpError } from './zmtp-error.js'
import {
  encodeErrorCommand,
  encodeGreeting,
  encodeMessage,
  encodePong,
  encodeReady,
  encodeSubscribeAll,
} from './zmtp-wire.js'

/** Bytes of complete messages a receiver keeps read ahead, unless told otherwise. */
export const DEFAULT_DEVICE_QUEUE_BYTES = 64 * 1024 * 1024

/** Options of {@link ZmtpDeviceReceiver}. */
export interface ZmtpDeviceReceiverOptions {
  /** The device's `tcp://host:port`. */
  readonly url: string
  /**
   * `PULL` for a device that PUSHes, `SUB` (subscribed to everything) for one that PUBlishes,
   * `DEALER` for a ROUTER (an ingester's data socket, seen from a worker).
   */
  readonly socketType: 'PULL' | 'SUB' | 'DEALER'
  /** A DEALER's routing id, sent in READY (1–255 bytes). */
  readonly identity?: Uint8Array
  /** Where message parts go (a `FrameSlabs`); one per process, shared by its receivers. */
  readonly slabs: PartMemory
  /**
   * How long the device may stay disconnected, with nothing left to read, before it counts as
   * lost, ms (`Infinity`: never; the owner decides when the peer is gone).
   */
  readonly lostAfterMs: number
  /** Complete messages kept before the socket stops reading (default 1000). */
  readonly maxQueuedMessages?: number
  /**
   * Bytes of complete messages kept before the socket stops reading (default 64 MiB; a message
   * is always taken when the queue is empty). zmq bounds its queue in messages only, which for
   * megabyte frames is gigabytes; this keeps the memory of frames read ahead bounded.
   */
  readonly maxQueuedBytes?: number
  /** Largest message, bytes (default 1 GiB); a larger one drops the connection. */
  readonly maxMessageBytes?: number
  /** Most parts in one message (default 64). */
  readonly maxParts?: number
  /** First wait before reconnecting, ms (default 100); doubles per failed attempt. */
  readonly reconnectMs?: number
  /** Longest wait between reconnect attempts, ms (default 2000). */
  readonly reconnectMaxMs?: number
  /** Time for the greeting and READY exchange, ms (default 5000). */
  readonly handshakeMs?: number
  /** Size of the one read buffer, bytes (default 256 KiB). */
  readonly readBufferBytes?: number
  /** Told of each connection made, lost, or refused (for logs). */
  readonly onConnection?: (event: ZmtpConnectionEvent) => void
}

/** A change of the connection to the device. */
export type ZmtpConnectionEvent =
  | { readonly kind: 'connected' }
  | { readonly kind: 'disconnected'; readonly reason: string }
  /** The device's bytes broke the protocol or a limit; the connection was dropped. */
  | { readonly kind: 'refused'; readonly code: string; readonly reason: string }

/** What the receiver counted since it started. */
export interface ZmtpDeviceReceiverStats {
  readonly messages: number
  readonly bytes: number
  readonly connections: number
  /** Connections dropped for junk or limits. */
  readonly refused: number
  /** Messages cut off by a dropped connection (discarded). */
  readonly cutOff: number
  readonly pings: number
}

interface Waiter {
  readonly resolve: (parts: Buffer[]) => void
  readonly reject: (err: unknown) => void
}

/** One device connection (see the module comment). Call `start()`, then `receive` in a loop. */
export class ZmtpDeviceReceiver {
  readonly #o: Required<Omit<ZmtpDeviceReceiverOptions, 'onConnection' | 'identity'>>
  readonly #identity: Uint8Array | undefined
  readonly #onConnection: ((event: ZmtpConnectionEvent) => void) | undefined
  readonly #host: string
  readonly #port: number
  readonly #readBuffer: Buffer
  readonly #stash: Buffer
  #stashStart = 0
  #stashEnd = 0
  #socket: Socket | undefined
  #decoder: ZmtpDecoder | undefined
  #connected = false
  #paused = false
  #closed = false
  /** `closeAfter` is waiting for its last message to leave. */
  #closing = false
  #lost = false
  #retryMs: number
  #retryTimer: NodeJS.Timeout | undefined
  #handshakeTimer: NodeJS.Timeout | undefined
  #lostTimer: NodeJS.Timeout | undefined
  /** Parts of the message being received. */
  #parts: Buffer[] = []
  readonly #queue: Buffer[][] = []
  #queueHead = 0
  #queuedBytes = 0
  #waiter: Waiter | undefined
  #messages = 0
  #bytes = 0
  #connections = 0
  #refused = 0
  #cutOff = 0
  #pings = 0

  constructor(options: ZmtpDeviceReceiverOptions) {
    const { host, port } = parseTcpEndpoint(options.url)
    this.#host = host
    this.#port = port
    this.#o = {
      url: options.url,
      socketType: options.socketType,
      slabs: options.slabs,
      lostAfterMs: options.lostAfterMs,
      maxQueuedMessages: options.maxQueuedMessages ?? 1000,
      maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_DEVICE_QUEUE_BYTES,
      maxMessageBytes: options.maxMessageBytes ?? 2 ** 30,
      maxParts: options.maxParts ?? 64,
      reconnectMs: options.reconnectMs ?? 100,
      reconnectMaxMs: options.reconnectMaxMs ?? 2000,
      handshakeMs: options.handshakeMs ?? 5000,
      readBufferBytes: options.readBufferBytes ?? 256 * 1024,
    }
    this.#onConnection = options.onConnection
    this.#identity = options.identity
    // Checked now rather than at each connection.
    if (options.socketType === 'DEALER') encodeReady('DEALER', options.identity)
    this.#retryMs = this.#o.reconnectMs
    this.#readBuffer = Buffer.allocUnsafeSlow(this.#o.readBufferBytes)
    this.#stash = Buffer.allocUnsafeSlow(this.#o.readBufferBytes)
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Whether the device is connected now (greeting and READY exchanged). */
  get connected(): boolean {
    return this.#connected
  }

  get stats(): ZmtpDeviceReceiverStats {
    return {
      messages: this.#messages,
      bytes: this.#bytes,
      connections: this.#connections,
      refused: this.#refused,
      cutOff: this.#cutOff,
      pings: this.#pings,
    }
  }

  /** Start connecting (returns at once; the device may come later, as with zmq's connect). */
  start(): void {
    if (this.#socket !== undefined || this.#closed) return
    this.#connect()
  }

  /** Whether `receive` would resolve without waiting. */
  ready(): boolean {
    return !this.#closed && this.#queueHead < this.#queue.length
  }

  /**
   * The parts of the next message (views of the receiver's {@link FrameSlabs}; hand them back
   * with `slabs.recycle` once nothing reads them). Rejects with `UPSTREAM_CLOSED` when closed or
   * when the device disconnected and stayed away for `lostAfterMs` with nothing left to read,
   * and with `signal.reason` when `signal` aborts (a message that comes later is kept).
   */
  receive(signal: AbortSignal): Promise<Buffer[]> {
    if (signal.aborted) return Promise.reject(signal.reason)
    const next = this.#take()
    if (next !== undefined) return Promise.resolve(next)
    if (this.#closed) {
      return Promise.reject(new UpstreamClosedError(`the upstream of ${this.#o.url} is closed`))
    }
    if (this.#lost) return Promise.reject(this.#lostError())
    if (this.#waiter !== undefined) {
      return Promise.reject(new UpstreamClosedError(`two receives at once from ${this.#o.url}`))
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiter = {
        resolve: (parts) => {
          signal.removeEventListener('abort', onAbort)
          resolve(parts)
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort)
          reject(err)
        },
      }
    })
  }

  /**
   * Send one message (a DEALER's; the caller keeps it small) on the connection there is now.
   * Returns `false`, sending nothing, when not connected: a message is not kept for the next
   * connection.
   */
  send(parts: readonly Uint8Array[]): boolean {
    const socket = this.#socket
    if (!this.#connected || socket === undefined || this.#o.socketType !== 'DEALER') return false
    socket.write(encodeMessage(parts))
    return true
  }

  /**
   * Send one last message, if connected, and close once it has left or after `lingerMs`,
   * whichever comes first (zmq's linger). Queued messages are dropped.
   */
  async closeAfter(parts: readonly Uint8Array[], lingerMs: number): Promise<void> {
    const socket = this.#socket
    if (!this.#closed && socket !== undefined && this.send(parts)) {
      this.#closing = true
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lingerMs)
        socket.end(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    this.close()
  }

  /** Close the connection and stop reconnecting; idempotent. Queued messages are dropped. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#retryTimer)
    clearTimeout(this.#lostTimer)
    this.#dropConnection()
    // Queued messages were never handed out: their memory may be reused at once.
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      for (const part of this.#queue[i]!) this.#o.slabs.recycle(part)
    }
    this.#queue.length = 0
    this.#queueHead = 0
    this.#queuedBytes = 0
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.reject(new UpstreamClosedError(`the upstream of ${this.#o.url} is closed`))
  }

  #take(): Buffer[] | undefined {
    if (this.#queueHead >= this.#queue.length) return undefined
    const parts = this.#queue[this.#queueHead]!
    this.#queue[this.#queueHead++] = EMPTY_MESSAGE
    for (const part of parts) this.#queuedBytes -= part.length
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0
      this.#queueHead = 0
    } else if (this.#queueHead >= 1024 && this.#queueHead * 2 >= this.#queue.length) {
      this.#queue.splice(0, this.#queueHead)
      this.#queueHead = 0
    }
    if (this.#paused) queueMicrotask(() => this.#unblock())
    return parts
  }

  #connect(): void {
    const decoder = new ZmtpDecoder(
      this.#o.socketType,
      {
        maxMessageBytes: this.#o.maxMessageBytes,
        maxParts: this.#o.maxParts,
        maxCommandBytes: 4096,
      },
      {
        greeting: () => {
          // NULL mechanism: the connecting side sends READY first.
          this.#socket?.write(encodeReady(this.#o.socketType, this.#identity))
        },
        ready: () => this.#onReady(socket),
        ping: (context) => {
          this.#pings++
          this.#socket?.write(encodePong(context))
        },
        partStart: (size) => {
          if (this.#parts.length === 0 && this.#queueFull()) return undefined
          const part = this.#o.slabs.allocate(size)
          this.#parts.push(part)
          return part
        },
        partEnd: (more) => {
          if (!more) this.#onMessage()
        },
      },
    )
    this.#decoder = decoder
    this.#paused = false
    this.#stashStart = 0
    this.#stashEnd = 0
    const socket: Socket = connect({
      host: this.#host,
      port: this.#port,
      onread: {
        buffer: (): Uint8Array => this.#nextReadTarget(decoder),
        callback: (n, into): boolean => this.#onRead(socket, n, into),
      },
    })
    this.#socket = socket
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 10_000)
    socket.on('error', () => {
      // 'close' follows; the reason is in its handler's message.
    })
    socket.on('close', () => this.#onClose(socket, 'the connection closed'))
    socket.on('connect', () => socket.write(encodeGreeting()))
    // Flowing, so that the peer's end of stream is seen ('end', then 'close').
    socket.resume()
    this.#handshakeTimer = setTimeout(() => {
      // A host that never answered the TCP connection is not there yet, like a refused one:
      // try again. One that answered and then did not speak ZMTP in time broke the protocol.
      if (socket.connecting) this.#onClose(socket, 'the connection timed out')
      else {
        this.#refuse(
          socket,
          new ZmtpError('ZMTP_HANDSHAKE_TIMEOUT', 'no greeting and READY in time'),
        )
      }
    }, this.#o.handshakeMs)
    this.#handshakeTimer.unref()
  }

  #onReady(socket: Socket): void {
    if (socket !== this.#socket) return
    clearTimeout(this.#handshakeTimer)
    if (this.#o.socketType === 'SUB') socket.write(encodeSubscribeAll())
    this.#connected = true
    this.#connections++
    this.#retryMs = this.#o.reconnectMs
    this.#lost = false
    clearTimeout(this.#lostTimer)
    this.#lostTimer = undefined
    this.#onConnection?.({ kind: 'connected' })
  }

  #onMessage(): void {
    const parts = this.#parts
    this.#parts = []
    this.#messages++
    let bytes = 0
    for (const part of parts) bytes += part.length
    this.#bytes += bytes
    const waiter = this.#waiter
    if (waiter !== undefined && this.#queued() === 0) {
      this.#waiter = undefined
      waiter.resolve(parts)
    } else {
      this.#queue.push(parts)
      this.#queuedBytes += bytes
    }
  }

  #queued(): number {
    return this.#queue.length - this.#queueHead
  }

  /** Whether the queue is at a bound (a message is always taken into an empty queue). */
  #queueFull(): boolean {
    const queued = this.#queued()
    return (
      queued > 0 &&
      (queued >= this.#o.maxQueuedMessages || this.#queuedBytes >= this.#o.maxQueuedBytes)
    )
  }

  /**
   * Where the socket reads next: straight into the part being received when much of its body
   * is still to come (no copy), else the read buffer (headers, small parts, the end of a body).
   */
  #nextReadTarget(decoder: ZmtpDecoder): Uint8Array {
    const rest = decoder.bodyRest
    if (rest !== undefined && rest.length >= IN_PLACE_MIN_BYTES) return rest
    return this.#readBuffer
  }

  /** The `onread` callback: `false` stops reading until {@link #unblock}. */
  #onRead(socket: Socket, n: number, into: Uint8Array): boolean {
    if (socket !== this.#socket) return false
    const decoder = this.#decoder!
    if (into !== this.#readBuffer) {
      // Read in place, into the body of the part being received.
      try {
        decoder.wroteInPlace(n)
      } catch (err) {
        this.#refuse(socket, err)
        return false
      }
      return true
    }
    let consumed: number
    try {
      consumed = decoder.write(this.#readBuffer, 0, n)
    } catch (err) {
      this.#refuse(socket, err)
      return false
    }
    if (!decoder.waitingForSpace) return true
    // The queue is full: keep what the decoder did not take; the read buffer is refilled next.
    this.#stashStart = 0
    this.#stashEnd = this.#readBuffer.copy(this.#stash, 0, consumed, n)
    this.#paused = true
    return false
  }

  /** A message was taken from a full queue: decode what was kept, and read again if all went in. */
  #unblock(): void {
    const socket = this.#socket
    // It runs from a microtask queued by `#take`, never inside a decode.
    if (!this.#paused || socket === undefined || this.#queueFull()) return
    try {
      this.#stashStart += this.#decoder!.write(this.#stash, this.#stashStart, this.#stashEnd)
    } catch (err) {
      this.#refuse(socket, err)
      return
    }
    if (this.#decoder!.waitingForSpace) return
    this.#stashStart = 0
    this.#stashEnd = 0
    this.#paused = false
    socket.resume()
  }

  /** The device broke the protocol or a limit: drop the connection (see the ERROR note below). */
  #refuse(socket: Socket, cause: unknown): void {
    if (socket !== this.#socket) return
    const err =
      cause instanceof ZmtpError ? cause : new ZmtpError('ZMTP_PROTOCOL', String(cause), { cause })
    this.#refused++
    // RFC 37 asks for an ERROR command. It is written, but the socket is destroyed at once
    // below (a read in progress may target memory of a part that is handed back on close), so
    // it leaves only if the kernel takes it before the close.
    if (err.code !== 'ZMTP_HANDSHAKE_TIMEOUT') socket.write(encodeErrorCommand(err.message))
    this.#onConnection?.({ kind: 'refused', code: err.code, reason: err.message })
    this.#onClose(socket, err.message)
  }

  #onClose(socket: Socket, reason: string): void {
    if (socket !== this.#socket || this.#closing) return
    const wasConnected = this.#connected
    this.#dropConnection()
    if (this.#closed) return
    if (wasConnected) {
      this.#onConnection?.({ kind: 'disconnected', reason })
      this.#armLost()
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      if (!this.#closed) this.#connect()
    }, this.#retryMs)
    this.#retryTimer.unref()
    this.#retryMs = Math.min(this.#retryMs * 2, this.#o.reconnectMaxMs)
  }

  #dropConnection(): void {
    clearTimeout(this.#handshakeTimer)
    const socket = this.#socket
    this.#socket = undefined
    this.#decoder = undefined
    this.#connected = false
    this.#paused = false
    socket?.destroy()
    if (this.#parts.length > 0) {
      // A message cut off by the drop is discarded whole; its parts were never handed out.
      this.#cutOff++
      for (const part of this.#parts) this.#o.slabs.recycle(part)
      this.#parts = []
    }
  }

  #armLost(): void {
    if (this.#connections === 0 || this.#lostTimer !== undefined) return
    if (!Number.isFinite(this.#o.lostAfterMs)) return
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = undefined
      if (this.#connected || this.#closed) return
      this.#lost = true
      const waiter = this.#waiter
      if (waiter !== undefined && this.#queued() === 0) {
        this.#waiter = undefined
        waiter.reject(this.#lostError())
      }
    }, this.#o.lostAfterMs)
    this.#lostTimer.unref()
  }

  #lostError(): UpstreamClosedError {
    return new UpstreamClosedError(
      `the device at ${this.#o.url} disconnected and did not come back within ${this.#o.lostAfterMs} ms`,
    )
  }
}

const EMPTY_MESSAGE: Buffer[] = []
/** A part body with at least this much still to come is read in place rather than copied. */
const IN_PLACE_MIN_BYTES = 64 * 1024
