/**
 * One accepted connection of a {@link ZmtpPush}: the handshake as the NULL server (wait for
 * the peer's READY, check that it is a PULL, answer READY), PONG for PING, and writing
 * messages as frame headers followed by the caller's part buffers, uncopied.
 */
import type { Socket } from 'node:net'
import {
  encodeErrorCommand,
  encodeGreeting,
  encodePong,
  encodeReady,
  FLAG_MORE,
  MAX_HEADER_BYTES,
  writeFrameHeader,
  ZmtpDecoder,
  ZmtpError,
} from '../../src/zmtp.js'

/** Called once per message when its bytes left for the kernel (or failed to). */
export type WrittenCallback = (err: Error | undefined) => void

/** What a peer tells its owner. */
export interface PushPeerEvents {
  ready(peer: PushPeer): void
  ping(): void
  /** The connection ended; `err` says why when it did not end cleanly. */
  gone(peer: PushPeer, err: Error | undefined): void
}

/** One PULL connected to a {@link ZmtpPush}. */
export class PushPeer {
  readonly #socket: Socket
  readonly #events: PushPeerEvents
  readonly #decoder: ZmtpDecoder
  readonly #timer: NodeJS.Timeout
  #greeted = false
  #ready = false
  #gone = false

  constructor(
    socket: Socket,
    handshakeMs: number,
    maxCommandBytes: number,
    events: PushPeerEvents,
  ) {
    this.#socket = socket
    this.#events = events
    this.#decoder = new ZmtpDecoder(
      'PUSH',
      { maxMessageBytes: 0, maxParts: 1, maxCommandBytes },
      {
        greeting: () => {
          this.#greeted = true
        },
        ready: () => {
          // NULL mechanism: the binding peer (the server) answers the client's READY.
          socket.write(encodeReady('PUSH'))
          this.#ready = true
          clearTimeout(this.#timer)
          events.ready(this)
        },
        ping: (context) => {
          socket.write(encodePong(context))
          events.ping()
        },
        // The decoder refuses message frames on a PUSH before it gets here.
        partStart: () => undefined,
        partEnd: () => {},
      },
    )
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#decoder.write(chunk, 0, chunk.length)
      } catch (err) {
        this.#refuse(err)
      }
    })
    socket.on('error', (err) => {
      this.#close(new ZmtpError('ZMTP_PEER_CLOSED', err.message, { cause: err }))
    })
    socket.on('close', () => this.#close(undefined))
    socket.write(encodeGreeting())
    this.#timer = setTimeout(() => {
      this.#refuse(
        new ZmtpError('ZMTP_HANDSHAKE_TIMEOUT', `no greeting and READY in ${handshakeMs} ms`),
      )
    }, handshakeMs)
  }

  get ready(): boolean {
    return this.#ready && !this.#gone
  }

  /** The socket holds more than its high-water mark: wait for {@link drained}. */
  get full(): boolean {
    return this.#socket.writableNeedDrain
  }

  /**
   * Write one message: per part a frame header, then the part's own buffer (not copied), all
   * in one `writev`. `onWritten` runs once when the write completed or failed; until then the
   * parts must not change. Returns `false` when the socket is over its high-water mark.
   */
  write(parts: readonly Uint8Array[], onWritten: WrittenCallback | undefined): boolean {
    const socket = this.#socket
    const headers = Buffer.allocUnsafe(parts.length * MAX_HEADER_BYTES)
    const done =
      onWritten === undefined
        ? undefined
        : (err: Error | null | undefined): void => onWritten(err ?? undefined)
    let at = 0
    let ok = true
    socket.cork()
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!
      const last = i === parts.length - 1
      const n = writeFrameHeader(headers, at, part.length, last ? 0 : FLAG_MORE)
      const header = headers.subarray(at, at + n)
      at += n
      if (part.length === 0) {
        ok = socket.write(header, last ? done : undefined)
      } else {
        socket.write(header)
        ok = socket.write(part, last ? done : undefined)
      }
    }
    socket.uncork()
    return ok
  }

  /** Resolves at the socket's next 'drain' (at once when not full), or when it closes. */
  drained(): Promise<void> {
    if (!this.full || this.#gone) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done)
        this.#socket.off('close', done)
        resolve()
      }
      this.#socket.on('drain', done)
      this.#socket.on('close', done)
    })
  }

  /** End the connection after what was written; resolves when it closed. */
  end(lingerMs: number): Promise<void> {
    if (this.#socket.closed) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#socket.destroy(), lingerMs)
      this.#socket.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      this.#socket.end()
    })
  }

  #refuse(cause: unknown): void {
    const err =
      cause instanceof Error ? cause : new ZmtpError('ZMTP_PROTOCOL', String(cause), { cause })
    // Best effort, as RFC 37 asks ("Error Handling"); the peer may not read it.
    if (this.#greeted) this.#socket.write(encodeErrorCommand(err.message))
    this.#close(err)
    this.#socket.destroy()
  }

  #close(err: Error | undefined): void {
    if (this.#gone) return
    this.#gone = true
    clearTimeout(this.#timer)
    this.#events.gone(this, err)
  }
}
