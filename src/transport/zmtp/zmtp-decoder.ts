/**
 * The receiving half of a ZMTP 3.x connection as a state machine over bytes: greeting, NULL
 * handshake (READY with a checked `Socket-Type`), then frames. Pure: no I/O, no timers. It
 * takes the bytes in whatever pieces the socket read them (a frame header may be split
 * anywhere) and copies each message part's body straight into the memory its owner hands out
 * for that part (`partStart`), so nothing is allocated per frame. Commands are collected in one
 * buffer allocated with the decoder.
 *
 * Every violation throws a {@link ZmtpError} before anything is allocated for it, and the
 * decoder then refuses further bytes; the owner closes the connection.
 */
import { ZmtpError } from './zmtp-error.js'
import {
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  FLAGS_RESERVED,
  GREETING_BYTES,
  MAX_PING_CONTEXT,
  parseProperties,
  peerTypesOf,
  readUint32,
  receivesMessages,
  type ZmtpSocketType,
} from './zmtp-wire.js'

/** What the peer's greeting said. */
export interface PeerGreeting {
  readonly major: number
  /** 0 for a ZMTP 3.0 peer (no heartbeats), 1 for 3.1. */
  readonly minor: number
  readonly asServer: boolean
}

/** Limits of one connection. */
export interface ZmtpDecoderLimits {
  /** Largest message (sum of its parts), bytes. */
  readonly maxMessageBytes: number
  /** Most parts in one message. */
  readonly maxParts: number
  /** Largest command body (READY with its metadata, PING…), bytes. */
  readonly maxCommandBytes: number
}

/** What the decoder reports to its owner, synchronously, in wire order. */
export interface ZmtpDecoderEvents {
  /** The peer's 64-byte greeting arrived and was accepted. */
  greeting(peer: PeerGreeting): void
  /** The peer's READY arrived and names the socket type ours can talk to. */
  ready(properties: ReadonlyMap<string, Uint8Array>): void
  /** A PING: answer with PONG echoing `context` (valid during the call only). */
  ping(context: Uint8Array): void
  /**
   * A message part of `size` bytes starts (`more`: further parts follow). Return the memory
   * to copy its body into (exactly `size` bytes), or `undefined` when there is no room yet:
   * the decoder then stops before the body, and asks again on its next `write`.
   */
  partStart(size: number, more: boolean): Uint8Array | undefined
  /** The part last started is complete; `more` false ends the message. */
  partEnd(more: boolean): void
}

const GREETING = 0
const FLAGS = 1
const SIZE = 2
const COMMAND_BODY = 3
const PART_START = 4
const PART_BODY = 5
const FAILED = 6
type State =
  | typeof GREETING
  | typeof FLAGS
  | typeof SIZE
  | typeof COMMAND_BODY
  | typeof PART_START
  | typeof PART_BODY
  | typeof FAILED

const NO_BYTES = new Uint8Array(0)
const NULL_MECHANISM = Buffer.alloc(20)
NULL_MECHANISM.write('NULL', 'latin1')

/** Incremental ZMTP decoder for one connection (see the module comment). */
export class ZmtpDecoder {
  readonly #socketType: ZmtpSocketType
  readonly #limits: ZmtpDecoderLimits
  readonly #events: ZmtpDecoderEvents
  #state: State = GREETING
  readonly #greeting = new Uint8Array(GREETING_BYTES)
  #greetingFilled = 0
  #ready = false
  #flags = 0
  readonly #size = new Uint8Array(8)
  #sizeFilled = 0
  #bodyBytes = 0
  readonly #command: Uint8Array
  #commandFilled = 0
  #target: Uint8Array | undefined
  #targetFilled = 0
  #messageParts = 0
  #messageBytes = 0

  constructor(socketType: ZmtpSocketType, limits: ZmtpDecoderLimits, events: ZmtpDecoderEvents) {
    this.#socketType = socketType
    this.#limits = limits
    this.#events = events
    this.#command = new Uint8Array(limits.maxCommandBytes)
  }

  /** The peer's READY has been accepted. */
  get ready(): boolean {
    return this.#ready
  }

  /**
   * The rest of the body of the part being received, when in one (`undefined` otherwise): memory
   * the owner may have the socket read into directly, then report with {@link wroteInPlace}.
   */
  get bodyRest(): Uint8Array | undefined {
    if (this.#state !== PART_BODY) return undefined
    return this.#target!.subarray(this.#targetFilled)
  }

  /**
   * The socket wrote `n` bytes straight into {@link bodyRest} (at most its length): the part
   * advances as if they had come through {@link write}. Throws `ZMTP_STATE` when not in a body
   * or past its end.
   */
  wroteInPlace(n: number): void {
    if (this.#state !== PART_BODY || n > this.#bodyBytes - this.#targetFilled || n < 0) {
      throw new ZmtpError('ZMTP_STATE', 'bytes written in place outside a part body')
    }
    this.#targetFilled += n
    if (this.#targetFilled === this.#bodyBytes) this.write(NO_BYTES, 0, 0)
  }

  /** Stopped at the start of a part for want of memory (`partStart` returned `undefined`). */
  get waitingForSpace(): boolean {
    return this.#state === PART_START
  }

  /**
   * Decode `bytes[start, end)`. Returns how many bytes were consumed: all of them, unless
   * `partStart` refused a part (then the rest, from that part's body on, must be passed again).
   * Calling it with no bytes retries a refused part. Throws a {@link ZmtpError} on a violation
   * (and on every call after one).
   */
  write(bytes: Uint8Array, start: number, end: number): number {
    if (this.#state === FAILED) {
      throw new ZmtpError('ZMTP_STATE', 'the connection already failed to decode')
    }
    try {
      return this.#run(bytes, start, end) - start
    } catch (err) {
      this.#state = FAILED
      throw err
    }
  }

  #run(bytes: Uint8Array, start: number, end: number): number {
    let at = start
    for (;;) {
      switch (this.#state) {
        case GREETING: {
          if (at === end) return at
          const n = Math.min(end - at, GREETING_BYTES - this.#greetingFilled)
          const from = this.#greetingFilled
          this.#greeting.set(bytes.subarray(at, at + n), from)
          this.#greetingFilled += n
          at += n
          this.#checkGreeting(from, this.#greetingFilled)
          break
        }
        case FLAGS: {
          if (at === end) return at
          this.#takeFlags(bytes[at++]!)
          break
        }
        case SIZE: {
          if (at === end) return at
          if ((this.#flags & FLAG_LONG) === 0) {
            this.#bodyBytes = bytes[at++]!
          } else {
            while (this.#sizeFilled < 8 && at < end) this.#size[this.#sizeFilled++] = bytes[at++]!
            if (this.#sizeFilled < 8) return at
            this.#bodyBytes = this.#longSize()
          }
          this.#startFrame()
          break
        }
        case COMMAND_BODY: {
          const n = Math.min(end - at, this.#bodyBytes - this.#commandFilled)
          if (n > 0) {
            this.#command.set(bytes.subarray(at, at + n), this.#commandFilled)
            this.#commandFilled += n
            at += n
          }
          if (this.#commandFilled < this.#bodyBytes) return at
          this.#state = FLAGS
          this.#onCommand(this.#command.subarray(0, this.#bodyBytes))
          break
        }
        case PART_START: {
          const more = (this.#flags & FLAG_MORE) !== 0
          const target = this.#events.partStart(this.#bodyBytes, more)
          if (target === undefined) return at
          if (target.length !== this.#bodyBytes) {
            throw new ZmtpError('ZMTP_STATE', 'partStart returned memory of the wrong size')
          }
          this.#target = target
          this.#targetFilled = 0
          this.#state = PART_BODY
          break
        }
        case PART_BODY: {
          const need = this.#bodyBytes - this.#targetFilled
          if (need > 0) {
            if (at === end) return at
            const n = Math.min(end - at, need)
            this.#target!.set(bytes.subarray(at, at + n), this.#targetFilled)
            this.#targetFilled += n
            at += n
            if (n < need) return at
          }
          const more = (this.#flags & FLAG_MORE) !== 0
          this.#target = undefined
          if (!more) {
            this.#messageParts = 0
            this.#messageBytes = 0
          }
          this.#state = FLAGS
          this.#events.partEnd(more)
          break
        }
        default:
          throw new ZmtpError('ZMTP_STATE', 'the connection already failed to decode')
      }
    }
  }

  /** Check the greeting bytes `[from, to)` as they arrive, so junk is refused at once. */
  #checkGreeting(from: number, to: number): void {
    const g = this.#greeting
    const has = (i: number): boolean => from <= i && i < to
    if (has(0) && g[0] !== 0xff) {
      throw new ZmtpError('ZMTP_BAD_GREETING', `not a ZMTP signature (first byte ${g[0]})`)
    }
    if (has(9) && g[9] !== 0x7f) {
      throw new ZmtpError('ZMTP_BAD_GREETING', `not a ZMTP 2+ signature (tenth byte ${g[9]})`)
    }
    if (has(10) && g[10]! < 3) {
      throw new ZmtpError('ZMTP_BAD_VERSION', `the peer speaks ZMTP ${g[10]}, not 3.x`)
    }
    if (from < 32 && to >= 32 && !NULL_MECHANISM.equals(g.subarray(12, 32))) {
      const name = Buffer.from(g.subarray(12, 32)).toString('latin1').replace(/\0+$/, '')
      throw new ZmtpError('ZMTP_BAD_MECHANISM', `mechanism ${JSON.stringify(name)}, not NULL`)
    }
    if (to === GREETING_BYTES) {
      this.#state = FLAGS
      this.#events.greeting({ major: g[10]!, minor: g[11]!, asServer: g[32] === 1 })
    }
  }

  #takeFlags(flags: number): void {
    if ((flags & FLAGS_RESERVED) !== 0) {
      throw new ZmtpError('ZMTP_PROTOCOL', `reserved flag bits set (flags ${flags})`)
    }
    if ((flags & FLAG_COMMAND) !== 0) {
      if ((flags & FLAG_MORE) !== 0) {
        throw new ZmtpError('ZMTP_PROTOCOL', 'a command frame with the MORE flag')
      }
      if (this.#messageParts > 0) {
        throw new ZmtpError('ZMTP_PROTOCOL', 'a command between the parts of a message')
      }
    } else if (!this.#ready) {
      throw new ZmtpError('ZMTP_PROTOCOL', 'a message frame before the READY command')
    } else if (!receivesMessages(this.#socketType)) {
      throw new ZmtpError('ZMTP_PROTOCOL', 'a message from a PULL peer (a PUSH only sends)')
    }
    this.#flags = flags
    this.#sizeFilled = 0
    this.#state = SIZE
  }

  /** The 8-byte size: below 2^63 (RFC 37); past 2^53 it is inexact but over any limit. */
  #longSize(): number {
    const high = readUint32(this.#size, 0)
    if (high >= 0x80000000) {
      throw new ZmtpError('ZMTP_PROTOCOL', 'a frame size of 2^63 or more')
    }
    return high * 2 ** 32 + readUint32(this.#size, 4)
  }

  #startFrame(): void {
    const size = this.#bodyBytes
    if ((this.#flags & FLAG_COMMAND) !== 0) {
      if (size > this.#limits.maxCommandBytes) {
        throw new ZmtpError(
          'ZMTP_TOO_LARGE',
          `a command of ${size} bytes (at most ${this.#limits.maxCommandBytes})`,
        )
      }
      this.#commandFilled = 0
      this.#state = COMMAND_BODY
      return
    }
    if (this.#messageParts + 1 > this.#limits.maxParts) {
      throw new ZmtpError('ZMTP_TOO_LARGE', `a message of more than ${this.#limits.maxParts} parts`)
    }
    if (this.#messageBytes + size > this.#limits.maxMessageBytes) {
      throw new ZmtpError(
        'ZMTP_TOO_LARGE',
        `a message of ${this.#messageBytes + size} bytes or more (at most ${this.#limits.maxMessageBytes})`,
      )
    }
    this.#messageParts++
    this.#messageBytes += size
    this.#state = PART_START
  }

  #onCommand(body: Uint8Array): void {
    const nameBytes = body[0] ?? 0
    if (nameBytes === 0 || 1 + nameBytes > body.length) {
      throw new ZmtpError('ZMTP_PROTOCOL', 'a command without a name')
    }
    const name = Buffer.from(body.buffer, body.byteOffset + 1, nameBytes).toString('latin1')
    const data = body.subarray(1 + nameBytes)
    if (name === 'ERROR') {
      const reason = Buffer.from(data.subarray(1, 1 + (data[0] ?? 0))).toString('latin1')
      throw new ZmtpError('ZMTP_PEER_ERROR', `the peer sent ERROR: ${reason}`)
    }
    if (!this.#ready) {
      if (name !== 'READY') {
        throw new ZmtpError('ZMTP_PROTOCOL', `${name} before the READY command`)
      }
      this.#acceptReady(data)
      return
    }
    if (name === 'PING') {
      if (data.length < 2 || data.length - 2 > MAX_PING_CONTEXT) {
        throw new ZmtpError('ZMTP_PROTOCOL', `a PING of ${data.length} bytes (2 to 18)`)
      }
      this.#events.ping(data.subarray(2))
    } else if (name === 'READY') {
      throw new ZmtpError('ZMTP_PROTOCOL', 'a second READY command')
    }
    // PONG, and commands of other patterns (SUBSCRIBE, JOIN…), mean nothing to a receiver.
  }

  #acceptReady(data: Uint8Array): void {
    const properties = parseProperties(data)
    const type = properties.get('socket-type')
    const expected = peerTypesOf(this.#socketType)
    const named = type === undefined ? undefined : Buffer.from(type).toString('latin1')
    if (named === undefined || !expected.includes(named)) {
      throw new ZmtpError(
        'ZMTP_BAD_SOCKET_TYPE',
        `the peer is ${named ?? 'of no socket type'}; a ${this.#socketType} talks to ${expected.join(' or ')}`,
      )
    }
    this.#ready = true
    this.#events.ready(properties)
  }
}
