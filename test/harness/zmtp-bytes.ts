// ZMTP 3.1 bytes written out by hand from RFC 37 (https://rfc.zeromq.org/spec/37/), on purpose
// without bench/zmtp's encoders: the tests' oracle for the decoder, and the junk a fake peer
// sends on a raw TCP socket.

/** Flag bits of a frame. */
export const MORE = 0x01
export const LONG = 0x02
export const COMMAND = 0x04

/** A 64-byte greeting; every field can be spoiled. */
export function greeting(
  spoil: {
    first?: number
    tenth?: number
    major?: number
    minor?: number
    mechanism?: string
    asServer?: number
  } = {},
): Buffer {
  const g = Buffer.alloc(64)
  g[0] = spoil.first ?? 0xff
  // Padding 1–8 is not significant; libzmq puts a length there, so do we.
  g[8] = 0x01
  g[9] = spoil.tenth ?? 0x7f
  g[10] = spoil.major ?? 3
  g[11] = spoil.minor ?? 1
  g.write(spoil.mechanism ?? 'NULL', 12, 'latin1')
  g[32] = spoil.asServer ?? 0
  return g
}

/** One frame: flags, a 1-byte size (or 8 bytes when long or over 255), the body. */
export function frame(flags: number, body: Uint8Array, long = body.length > 255): Buffer {
  if (!long) return Buffer.concat([Buffer.from([flags, body.length]), body])
  const head = Buffer.alloc(9)
  head[0] = flags | LONG
  head.writeBigUInt64BE(BigInt(body.length), 1)
  return Buffer.concat([head, body])
}

/** A command frame: name length, name, data. */
export function command(name: string, data: Uint8Array = Buffer.alloc(0)): Buffer {
  return frame(COMMAND, Buffer.concat([Buffer.from([name.length]), Buffer.from(name), data]))
}

/** READY with the given properties, in order (name length, name, 4-byte value length, value). */
export function ready(properties: readonly [string, string][] = [['Socket-Type', 'PUSH']]): Buffer {
  const chunks = properties.flatMap(([name, value]) => {
    const size = Buffer.alloc(4)
    size.writeUInt32BE(value.length)
    return [Buffer.from([name.length]), Buffer.from(name), size, Buffer.from(value)]
  })
  return command('READY', Buffer.concat(chunks))
}

/** PING with a TTL (tenths of a second) and a context. */
export function ping(context: Uint8Array, ttl = 0): Buffer {
  const t = Buffer.alloc(2)
  t.writeUInt16BE(ttl)
  return command('PING', Buffer.concat([t, context]))
}

/** A message: every part but the last with MORE. */
export function message(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((p, i) => frame(i < parts.length - 1 ? MORE : 0, p)))
}

/** `n` bytes that differ per `seed` and position, to check bytes arrive where they belong. */
export function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n)
  let x = (seed * 2654435761 + 1) >>> 0
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}
