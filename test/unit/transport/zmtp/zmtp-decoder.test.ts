import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeMessage,
  encodeReady,
  isZmtpError,
  type PeerGreeting,
  ZmtpDecoder,
  type ZmtpErrorCode,
} from '../../../../src/zmtp.js'
import {
  COMMAND,
  command,
  frame,
  greeting,
  LONG,
  MORE,
  message,
  pattern,
  ping,
  ready,
} from '../../../harness/zmtp-bytes.js'

const LIMITS = { maxMessageBytes: 1 << 20, maxParts: 8, maxCommandBytes: 1024 }

/** A decoder for a PULL whose owner records everything; `room` decides partStart. */
function recorder(room: (size: number) => boolean = () => true, limits = LIMITS) {
  const seen = {
    greeting: undefined as PeerGreeting | undefined,
    ready: 0,
    pings: [] as Buffer[],
    messages: [] as Buffer[][],
    partStarts: 0,
  }
  let parts: Buffer[] = []
  const decoder = new ZmtpDecoder('PULL', limits, {
    greeting: (g) => {
      seen.greeting = g
    },
    ready: () => {
      seen.ready++
    },
    ping: (context) => {
      seen.pings.push(Buffer.from(context))
    },
    partStart: (size) => {
      seen.partStarts++
      if (!room(size)) return undefined
      const part = Buffer.alloc(size)
      parts.push(part)
      return part
    },
    partEnd: (more) => {
      if (more) return
      seen.messages.push(parts)
      parts = []
    },
  })
  return { decoder, seen }
}

/** Feed `bytes` in pieces cut at `cuts` (offsets); every byte must be consumed. */
function feed(decoder: ZmtpDecoder, bytes: Buffer, cuts: readonly number[] = []): void {
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])]
  points.sort((a, b) => a - b)
  for (let i = 0; i + 1 < points.length; i++) {
    const consumed = decoder.write(bytes, points[i]!, points[i + 1]!)
    if (consumed !== points[i + 1]! - points[i]!)
      throw new Error(`stopped at ${points[i]! + consumed}`)
  }
}

/** Messages as base64 strings: vitest compares large Buffers byte by byte, slowly. */
function text(messages: readonly (readonly Uint8Array[])[]): string[][] {
  return messages.map((m) => m.map((p) => Buffer.from(p).toString('base64')))
}

function refusal(bytes: Buffer, limits = LIMITS): { code: ZmtpErrorCode; partStarts: number } {
  const { decoder, seen } = recorder(() => true, limits)
  try {
    feed(decoder, bytes)
  } catch (err) {
    if (!isZmtpError(err)) throw err
    return { code: err.code, partStarts: seen.partStarts }
  }
  throw new Error('the decoder accepted the bytes')
}

// Part sizes around the short/long boundary, empty and one byte, and larger than a read.
const SIZES = [0, 1, 2, 254, 255, 256, 257, 70_000]
const MESSAGES = [
  SIZES.map((n, i) => pattern(n, i)),
  [pattern(255, 99)],
  [Buffer.alloc(0)],
  [pattern(1, 7), Buffer.alloc(0), pattern(256, 8)],
]
const HANDSHAKE = Buffer.concat([greeting(), ready()])
const STREAM = Buffer.concat([
  HANDSHAKE,
  message(MESSAGES[0]!),
  ping(Buffer.from('ctx')),
  message(MESSAGES[1]!),
  command('PONG'),
  message(MESSAGES[2]!),
  // A long frame may carry a small body (RFC 37 only says SHOULD use the short form).
  frame(MORE, MESSAGES[3]![0]!, true),
  frame(MORE, MESSAGES[3]![1]!, true),
  frame(0, MESSAGES[3]![2]!),
])

describe('ZmtpDecoder', () => {
  it('decodes greeting, READY, messages and PINGs byte-exact, in one piece', () => {
    const { decoder, seen } = recorder()
    feed(decoder, STREAM)
    expect(seen.greeting).toEqual({ major: 3, minor: 1, asServer: false })
    expect(seen.ready).toBe(1)
    expect(seen.pings).toEqual([Buffer.from('ctx')])
    expect(text(seen.messages)).toEqual(text(MESSAGES))
  })

  it('gives the same result whatever the read boundaries (every split, then random ones)', () => {
    for (const step of [1, 2, 3, 7, 9, 64, 65, 255, 4096]) {
      const { decoder, seen } = recorder()
      const cuts = Array.from({ length: Math.ceil(STREAM.length / step) }, (_, i) => i * step)
      feed(decoder, STREAM, cuts)
      expect(text(seen.messages)).toEqual(text(MESSAGES))
    }
    fc.assert(
      fc.property(fc.array(fc.nat({ max: STREAM.length }), { maxLength: 40 }), (cuts) => {
        const { decoder, seen } = recorder()
        feed(decoder, STREAM, cuts)
        expect(text(seen.messages)).toEqual(text(MESSAGES))
        expect(seen.pings).toHaveLength(1)
      }),
    )
  })

  it('accepts a ZMTP 3.0 peer and higher versions', () => {
    for (const [major, minor] of [
      [3, 0],
      [4, 2],
    ] as const) {
      const { decoder, seen } = recorder()
      feed(decoder, Buffer.concat([greeting({ major, minor }), ready(), message([pattern(9, 1)])]))
      expect(seen.greeting).toMatchObject({ major, minor })
      expect(seen.messages).toEqual([[pattern(9, 1)]])
    }
  })

  it('refuses junk as soon as the byte that makes it junk arrives', () => {
    const { decoder } = recorder()
    expect(() => decoder.write(Buffer.from('GET / HTTP/1.1\r\n'), 0, 1)).toThrow(
      expect.objectContaining({ code: 'ZMTP_BAD_GREETING' }),
    )
    // And keeps refusing: the owner closes the connection.
    expect(() => decoder.write(greeting(), 0, 64)).toThrow(
      expect.objectContaining({ code: 'ZMTP_STATE' }),
    )
  })

  it.each([
    ['a ZMTP 1.0 peer (tenth byte without bit 0)', greeting({ tenth: 0x00 }), 'ZMTP_BAD_GREETING'],
    ['ZMTP 2', greeting({ major: 2 }), 'ZMTP_BAD_VERSION'],
    ['mechanism PLAIN', greeting({ mechanism: 'PLAIN' }), 'ZMTP_BAD_MECHANISM'],
    ['mechanism CURVE', greeting({ mechanism: 'CURVE' }), 'ZMTP_BAD_MECHANISM'],
    [
      'a PUB peer',
      Buffer.concat([greeting(), ready([['Socket-Type', 'PUB']])]),
      'ZMTP_BAD_SOCKET_TYPE',
    ],
    [
      'a PULL peer',
      Buffer.concat([greeting(), ready([['Socket-Type', 'PULL']])]),
      'ZMTP_BAD_SOCKET_TYPE',
    ],
    [
      'no socket type',
      Buffer.concat([greeting(), ready([['Identity', '']])]),
      'ZMTP_BAD_SOCKET_TYPE',
    ],
    [
      'a message before READY',
      Buffer.concat([greeting(), message([pattern(3, 1)])]),
      'ZMTP_PROTOCOL',
    ],
    ['PING before READY', Buffer.concat([greeting(), ping(Buffer.alloc(0))]), 'ZMTP_PROTOCOL'],
    ['reserved flag bits', Buffer.concat([HANDSHAKE, frame(0x08, pattern(3, 1))]), 'ZMTP_PROTOCOL'],
    [
      'a command with MORE',
      Buffer.concat([HANDSHAKE, frame(COMMAND | MORE, Buffer.from('\x04PONG'))]),
      'ZMTP_PROTOCOL',
    ],
    [
      'a command inside a message',
      Buffer.concat([HANDSHAKE, frame(MORE, pattern(3, 1)), command('PONG')]),
      'ZMTP_PROTOCOL',
    ],
    [
      'a command without a name',
      Buffer.concat([HANDSHAKE, frame(COMMAND, Buffer.alloc(0))]),
      'ZMTP_PROTOCOL',
    ],
    ['READY twice', Buffer.concat([HANDSHAKE, ready()]), 'ZMTP_PROTOCOL'],
    [
      'a PING context of 17 bytes',
      Buffer.concat([HANDSHAKE, ping(Buffer.alloc(17))]),
      'ZMTP_PROTOCOL',
    ],
    [
      'a size of 2^63',
      Buffer.concat([HANDSHAKE, Buffer.from([LONG, 0x80, 0, 0, 0, 0, 0, 0, 0])]),
      'ZMTP_PROTOCOL',
    ],
    [
      'an ERROR command',
      Buffer.concat([greeting(), command('ERROR', Buffer.from('\x03bad'))]),
      'ZMTP_PEER_ERROR',
    ],
    [
      'a property running past the end',
      Buffer.concat([
        greeting(),
        command('READY', Buffer.from('\x0bSocket-Type\x00\x00\x00\x09PUSH')),
      ]),
      'ZMTP_PROTOCOL',
    ],
  ] as const)('refuses %s', (_, bytes, code) => {
    expect(refusal(bytes).code).toBe(code)
  })

  it('refuses any message frame on a PUSH (its PULL peer only sends commands)', () => {
    const decoder = new ZmtpDecoder('PUSH', LIMITS, {
      greeting: () => {},
      ready: () => {},
      ping: () => {},
      partStart: () => new Uint8Array(0),
      partEnd: () => {},
    })
    const handshake = Buffer.concat([
      greeting(),
      ready([['Socket-Type', 'PULL']]),
      ping(Buffer.alloc(0)),
    ])
    expect(decoder.write(handshake, 0, handshake.length)).toBe(handshake.length)
    const empty = message([Buffer.alloc(0)])
    expect(() => decoder.write(empty, 0, empty.length)).toThrow(
      expect.objectContaining({ code: 'ZMTP_PROTOCOL' }),
    )
  })

  it.each([
    ['SUB', 'PUB', true],
    ['SUB', 'XPUB', true],
    ['SUB', 'PUSH', false],
    ['SUB', 'SUB', false],
    ['DEALER', 'ROUTER', true],
    ['DEALER', 'DEALER', true],
    ['DEALER', 'PUSH', false],
    ['DEALER', 'PUB', false],
  ] as const)('a %s talking to a %s: accepted %s', (ours, peer, accepted) => {
    const messages: number[] = []
    const decoder = new ZmtpDecoder(ours, LIMITS, {
      greeting: () => {},
      ready: () => {},
      ping: () => {},
      partStart: (size) => new Uint8Array(size),
      partEnd: (more) => {
        if (!more) messages.push(1)
      },
    })
    const bytes = Buffer.concat([
      greeting(),
      ready([['Socket-Type', peer]]),
      message([pattern(10, 1), pattern(300, 2)]),
    ])
    if (accepted) {
      expect(decoder.write(bytes, 0, bytes.length)).toBe(bytes.length)
      expect(messages).toEqual([1])
    } else {
      expect(() => decoder.write(bytes, 0, bytes.length)).toThrow(
        expect.objectContaining({ code: 'ZMTP_BAD_SOCKET_TYPE' }),
      )
    }
  })

  it('takes a part body written in place, in pieces, as if it had come through write', () => {
    const { decoder, seen } = recorder()
    const body = pattern(100_000, 4)
    const bytes = Buffer.concat([HANDSHAKE, message([body, pattern(3, 5)])])
    // Everything up to the first body: the header of a long frame is 9 bytes.
    const headerEnd = HANDSHAKE.length + 9
    expect(decoder.write(bytes, 0, headerEnd + 10)).toBe(headerEnd + 10)
    let at = headerEnd + 10
    for (const n of [40_000, 59_990]) {
      const rest = decoder.bodyRest!
      expect(rest.length).toBe(headerEnd + body.length - at)
      rest.set(bytes.subarray(at, at + n))
      decoder.wroteInPlace(n)
      at += n
    }
    expect(decoder.bodyRest).toBeUndefined()
    expect(() => decoder.wroteInPlace(1)).toThrow(expect.objectContaining({ code: 'ZMTP_STATE' }))
    expect(decoder.write(bytes, at, bytes.length)).toBe(bytes.length - at)
    expect(seen.messages).toHaveLength(1)
    expect(seen.messages[0]![0]!.equals(body)).toBe(true)
    expect(seen.messages[0]![1]!.equals(pattern(3, 5))).toBe(true)
  })

  it('refuses bytes written in place past the end of the body', () => {
    const { decoder } = recorder()
    const bytes = Buffer.concat([HANDSHAKE, message([pattern(300, 1)])])
    decoder.write(bytes, 0, HANDSHAKE.length + 9)
    expect(decoder.bodyRest!.length).toBe(300)
    expect(() => decoder.wroteInPlace(301)).toThrow(expect.objectContaining({ code: 'ZMTP_STATE' }))
  })

  it('refuses oversize messages, part counts and commands before asking for memory', () => {
    const limits = { maxMessageBytes: 1000, maxParts: 3, maxCommandBytes: 64 }
    // One part over the limit: only its header is needed to refuse it.
    const huge = Buffer.concat([HANDSHAKE, Buffer.from([LONG, 0, 0, 0, 1, 0, 0, 0, 0])])
    expect(refusal(huge, limits)).toEqual({ code: 'ZMTP_TOO_LARGE', partStarts: 0 })
    // Parts that together go over it: the third is refused.
    const sum = Buffer.concat([
      HANDSHAKE,
      message([pattern(400, 1), pattern(400, 2), pattern(201, 3)]),
    ])
    expect(refusal(sum, limits)).toEqual({ code: 'ZMTP_TOO_LARGE', partStarts: 2 })
    const fits = recorder(() => true, limits)
    feed(
      fits.decoder,
      Buffer.concat([HANDSHAKE, message([pattern(400, 1), pattern(400, 2), pattern(200, 3)])]),
    )
    expect(fits.seen.messages).toHaveLength(1)
    const parts = Buffer.concat([
      HANDSHAKE,
      message([Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]),
    ])
    expect(refusal(parts, limits)).toEqual({ code: 'ZMTP_TOO_LARGE', partStarts: 3 })
    const bigCommand = Buffer.concat([
      greeting(),
      ready([
        ['Socket-Type', 'PUSH'],
        ['X-Junk', 'x'.repeat(64)],
      ]),
    ])
    expect(refusal(bigCommand, limits).code).toBe('ZMTP_TOO_LARGE')
  })

  it('stops before a part it gets no memory for, and resumes there', () => {
    let room = false
    const { decoder, seen } = recorder(() => room)
    const bytes = Buffer.concat([HANDSHAKE, message([pattern(300, 1), pattern(2, 2)])])
    const consumed = decoder.write(bytes, 0, bytes.length)
    // Greeting, READY and the first part's 9-byte header went in; its body did not.
    expect(consumed).toBe(HANDSHAKE.length + 9)
    expect(decoder.waitingForSpace).toBe(true)
    expect(decoder.write(bytes, consumed, bytes.length)).toBe(0)
    room = true
    expect(decoder.write(bytes, consumed, bytes.length)).toBe(bytes.length - consumed)
    expect(seen.messages).toEqual([[pattern(300, 1), pattern(2, 2)]])
  })

  it('retries a refused empty part with no bytes at all', () => {
    let room = false
    const { decoder, seen } = recorder(() => room)
    const bytes = Buffer.concat([HANDSHAKE, message([Buffer.alloc(0)])])
    expect(decoder.write(bytes, 0, bytes.length)).toBe(bytes.length)
    expect(decoder.waitingForSpace).toBe(true)
    room = true
    expect(decoder.write(bytes, bytes.length, bytes.length)).toBe(0)
    expect(seen.messages).toEqual([[Buffer.alloc(0)]])
  })
})

describe('ZMTP wire: what a DEALER sends', () => {
  it('READY names the socket type and the identity, which a decoder reads back', () => {
    const seen: Map<string, Uint8Array>[] = []
    const router = new ZmtpDecoder('DEALER', LIMITS, {
      greeting: () => {},
      ready: (properties) => {
        seen.push(new Map(properties))
      },
      ping: () => {},
      partStart: (size) => new Uint8Array(size),
      partEnd: () => {},
    })
    const bytes = Buffer.concat([greeting(), encodeReady('DEALER', Buffer.from('worker-7'))])
    expect(router.write(bytes, 0, bytes.length)).toBe(bytes.length)
    expect(Buffer.from(seen[0]!.get('socket-type')!).toString()).toBe('DEALER')
    expect(Buffer.from(seen[0]!.get('identity')!).toString()).toBe('worker-7')
    expect(encodeReady('DEALER', Buffer.from('w'))).toEqual(
      ready([
        ['Socket-Type', 'DEALER'],
        ['Identity', 'w'],
      ]),
    )
  })

  it('refuses an identity zmq could not use', () => {
    for (const bad of [Buffer.alloc(0), Buffer.alloc(256, 65), Buffer.from([0, 65])]) {
      expect(() => encodeReady('DEALER', bad)).toThrow(
        expect.objectContaining({ code: 'ZMTP_PROTOCOL' }),
      )
    }
    expect(encodeReady('DEALER', Buffer.alloc(255, 65)).length).toBeGreaterThan(255)
  })

  it('a message is its parts as frames, MORE on all but the last, short and long sizes', () => {
    const parts = [pattern(0, 1), pattern(255, 2), pattern(256, 3), pattern(70_000, 4)]
    expect(encodeMessage(parts)).toEqual(message(parts))
    expect(() => encodeMessage([])).toThrow(expect.objectContaining({ code: 'ZMTP_PROTOCOL' }))
  })
})
