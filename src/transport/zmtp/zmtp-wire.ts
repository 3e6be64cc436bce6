/**
 * The ZMTP 3.1 wire format (RFC 37/ZMTP, https://rfc.zeromq.org/spec/37/): the greeting, frame
 * headers and the commands the NULL mechanism, PUSH/PULL, SUB, DEALER and heartbeats need. Pure:
 * no I/O.
 *
 * Greeting, 64 bytes: signature `%xFF` 8×padding `%x7F`, version 3.1, mechanism (20 bytes,
 * null-padded), as-server (0 for NULL), 31 zero bytes. A frame: flags (bit 0 MORE, bit 1 LONG,
 * bit 2 COMMAND, bits 3–7 zero), then the body size in 1 byte (short) or 8 bytes big-endian
 * (long), then the body. A command body: name length (1 byte), name, data.
 */
import { ZmtpError } from './zmtp-error.js'

/** Bytes in a greeting. */
export const GREETING_BYTES = 64
/** Flag bit: more frames of this message follow. */
export const FLAG_MORE = 0x01
/** Flag bit: the size is 8 bytes. */
export const FLAG_LONG = 0x02
/** Flag bit: a command frame. */
export const FLAG_COMMAND = 0x04
/** Bits 3–7 of the flags, reserved (must be zero). */
export const FLAGS_RESERVED = 0xf8
/** Largest body a short frame can carry. */
export const SHORT_MAX = 255
/** Largest frame header: flags and an 8-byte size. */
export const MAX_HEADER_BYTES = 9
/** The ping context of PING and PONG is 0–16 bytes. */
export const MAX_PING_CONTEXT = 16

/** The socket types this implementation speaks. */
export type ZmtpSocketType = 'PUSH' | 'PULL' | 'SUB' | 'DEALER'

/**
 * The socket types a socket of ours may talk to (RFC 37, "The Socket-Type Property"; a SUB
 * also to an XPUB, as libzmq allows).
 */
export function peerTypesOf(type: ZmtpSocketType): readonly string[] {
  switch (type) {
    case 'PUSH':
      return ['PULL']
    case 'PULL':
      return ['PUSH']
    case 'SUB':
      return ['PUB', 'XPUB']
    case 'DEALER':
      return ['ROUTER', 'DEALER']
  }
}

/** Whether a socket of type `type` receives messages (a PUSH only sends). */
export function receivesMessages(type: ZmtpSocketType): boolean {
  return type !== 'PUSH'
}

/** Our greeting: ZMTP 3.1, mechanism NULL, as-server 0 (RFC 37: NULL requires it). */
export function encodeGreeting(): Buffer {
  const g = Buffer.alloc(GREETING_BYTES)
  g[0] = 0xff
  g[9] = 0x7f
  g[10] = 3
  g[11] = 1
  g.write('NULL', 12, 'latin1')
  return g
}

/**
 * Write a frame header for a body of `size` bytes into `target` at `at`; returns its length
 * (2 for a short frame, 9 for a long one). `flags` are MORE and COMMAND; LONG is added here.
 */
export function writeFrameHeader(
  target: Uint8Array,
  at: number,
  size: number,
  flags: number,
): number {
  if (size <= SHORT_MAX) {
    target[at] = flags
    target[at + 1] = size
    return 2
  }
  target[at] = flags | FLAG_LONG
  const high = Math.floor(size / 2 ** 32)
  writeUint32(target, at + 1, high)
  writeUint32(target, at + 5, size - high * 2 ** 32)
  return MAX_HEADER_BYTES
}

/** A command frame (header and body): `name` (1–255 letters) and its data. */
export function encodeCommand(name: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const bodyBytes = 1 + name.length + data.length
  const frame = Buffer.alloc((bodyBytes <= SHORT_MAX ? 2 : MAX_HEADER_BYTES) + bodyBytes)
  let at = writeFrameHeader(frame, 0, bodyBytes, FLAG_COMMAND)
  frame[at++] = name.length
  at += frame.write(name, at, 'latin1')
  frame.set(data, at)
  return frame
}

/**
 * READY with the property the NULL mechanism needs, `Socket-Type`, and for a DEALER its
 * `Identity` (the routing id a ROUTER peer addresses it by; 1–255 bytes, not starting with a
 * zero byte, which libzmq keeps for ids it makes up).
 */
export function encodeReady(type: ZmtpSocketType, identity?: Uint8Array): Buffer {
  const properties: [string, Uint8Array][] = [['Socket-Type', Buffer.from(type, 'latin1')]]
  if (identity !== undefined) {
    if (identity.length === 0 || identity.length > SHORT_MAX || identity[0] === 0) {
      throw new ZmtpError(
        'ZMTP_PROTOCOL',
        `an identity of ${identity.length} bytes${identity[0] === 0 ? ' starting with a zero byte' : ''} (1–255, not starting with zero)`,
      )
    }
    properties.push(['Identity', identity])
  }
  return encodeCommand('READY', encodeProperties(properties))
}

/**
 * One message as frames (header and body of each part, MORE on all but the last) in one buffer,
 * for a socket that sends small messages (a worker's hello and goodbye).
 */
export function encodeMessage(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 0) throw new ZmtpError('ZMTP_PROTOCOL', 'a message has at least one part')
  let bytes = 0
  for (const part of parts) bytes += (part.length <= SHORT_MAX ? 2 : MAX_HEADER_BYTES) + part.length
  const out = Buffer.allocUnsafe(bytes)
  let at = 0
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    at += writeFrameHeader(out, at, part.length, i < parts.length - 1 ? FLAG_MORE : 0)
    out.set(part, at)
    at += part.length
  }
  return out
}

/** PING with a time-to-live in tenths of a second and a context of 0–16 bytes. */
export function encodePing(ttlDeciseconds: number, context: Uint8Array): Buffer {
  const data = Buffer.alloc(2 + context.length)
  data.writeUInt16BE(ttlDeciseconds, 0)
  data.set(context, 2)
  return encodeCommand('PING', data)
}

/** PONG echoing a PING's context. */
export function encodePong(context: Uint8Array): Buffer {
  return encodeCommand('PONG', context)
}

/**
 * A subscription to every message, as a SUB sends it once connected: the ZMTP 3.0 form (a
 * one-part message `%x01`), which ZMTP 3.0 and 3.1 publishers (libzmq's PUB and XPUB) accept.
 */
export function encodeSubscribeAll(): Buffer {
  return Buffer.from([0x00, 0x01, 0x01])
}

/** ERROR with a reason of at most 255 bytes (longer reasons are cut). */
export function encodeErrorCommand(reason: string): Buffer {
  const text = Buffer.from(reason, 'latin1').subarray(0, SHORT_MAX)
  const data = Buffer.alloc(1 + text.length)
  data[0] = text.length
  data.set(text, 1)
  return encodeCommand('ERROR', data)
}

/** Metadata as READY carries it: name length (1 byte), name, value length (4 bytes), value. */
export function encodeProperties(properties: readonly (readonly [string, Uint8Array])[]): Buffer {
  const chunks: Buffer[] = []
  for (const [name, value] of properties) {
    const head = Buffer.alloc(1 + name.length + 4)
    head[0] = name.length
    head.write(name, 1, 'latin1')
    head.writeUInt32BE(value.length, 1 + name.length)
    chunks.push(head, Buffer.from(value))
  }
  return Buffer.concat(chunks)
}

/**
 * Parse READY's metadata (the command data after the name). Names are returned lower-case
 * (RFC 37: their case is not significant), values copied. Throws `ZMTP_PROTOCOL` on a
 * property that runs past the end or has an empty name.
 */
export function parseProperties(data: Uint8Array): Map<string, Uint8Array> {
  const properties = new Map<string, Uint8Array>()
  let at = 0
  while (at < data.length) {
    const nameBytes = data[at]!
    if (nameBytes === 0 || at + 1 + nameBytes + 4 > data.length) {
      throw new ZmtpError('ZMTP_PROTOCOL', 'READY: a property name is empty or runs past the end')
    }
    const name = Buffer.from(data.buffer, data.byteOffset + at + 1, nameBytes).toString('latin1')
    at += 1 + nameBytes
    const valueBytes = readUint32(data, at)
    at += 4
    if (at + valueBytes > data.length) {
      throw new ZmtpError('ZMTP_PROTOCOL', `READY: the value of ${name} runs past the end`)
    }
    properties.set(name.toLowerCase(), data.slice(at, at + valueBytes))
    at += valueBytes
  }
  return properties
}

/** Big-endian unsigned 32-bit integer at `at` (no DataView: nothing allocated). */
export function readUint32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  )
}

function writeUint32(target: Uint8Array, at: number, value: number): void {
  target[at] = value >>> 24
  target[at + 1] = (value >>> 16) & 0xff
  target[at + 2] = (value >>> 8) & 0xff
  target[at + 3] = value & 0xff
}
