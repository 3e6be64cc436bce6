import { Encoder, Tag } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { decodeRecording, parseRecord } from '../../../src/codec/recording-decode.js'
import { RecordingError } from '../../../src/errors.js'

// cbor-x writes Maps as CBOR maps, Tags as tags, Dates as tag 1 (epoch seconds), big ints as
// 8-byte integers: enough to build records the way other writers might.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false })
const frame = Uint8Array.of(1, 2, 3)
const stream = (typ: unknown = 'STINS', frames: unknown = [frame]) => new Tag([typ, frames], 42878)
const record = (...body: unknown[]) => new Tag(body, 42877)
const streams = (entries: [unknown, unknown][] = [['xrd', stream()]]) => new Map(entries)
const selfDescribed = (value: unknown) => Buffer.from(encoder.encode(new Tag(value, 55799)))

function decodeOne(value: unknown) {
  const messages = decodeRecording(selfDescribed(value), 'crafted.cbors')
  expect(messages).toHaveLength(1)
  return messages[0]
}

function corruptReason(value: unknown): string {
  try {
    decodeRecording(
      Buffer.concat([selfDescribed(record(0, streams())), selfDescribed(value)]),
      'x.cbors',
    )
  } catch (err) {
    expect(err).toBeInstanceOf(RecordingError)
    if (err instanceof RecordingError) {
      expect(err.code).toBe('RECORDING_CORRUPT')
      expect(err.offset).toBe(selfDescribed(record(0, streams())).length)
      return err.message
    }
  }
  throw new Error('no error')
}

describe('decoding records', () => {
  it('reads created_at as cbor2 writes it: tag 0, RFC 3339 with microseconds and an offset', () => {
    const created = new Tag('2024-05-01T12:34:56.123456+02:00', 0)
    expect(decodeOne(record(5, streams(), created))?.createdAt?.toISOString()).toBe(
      '2024-05-01T10:34:56.123Z',
    )
  })

  it('reads created_at as tag 1 epoch seconds', () => {
    const created = new Date('2024-05-01T10:34:56.789Z')
    expect(decodeOne(record(5, streams(), created))?.createdAt).toEqual(created)
    // Integer seconds too (cbor-x picks the smallest form).
    expect(decodeOne(record(5, streams(), new Date(1_700_000_000_000)))?.createdAt?.getTime()).toBe(
      1_700_000_000_000,
    )
  })

  it('treats a null created_at (Dranspose writing None) as absent', () => {
    const msg = decodeOne(record(1, streams(), null))
    expect(msg).toEqual({ eventNumber: 1, streams: { xrd: { typ: 'STINS', frames: [frame] } } })
    expect(msg && 'createdAt' in msg).toBe(false)
  })

  it('accepts records without the self-describe tag and 8-byte event numbers', () => {
    const bytes = Buffer.from(encoder.encode(record(2n ** 40n, streams())))
    expect(decodeRecording(bytes, 'plain.cbors')[0]?.eventNumber).toBe(2 ** 40)
  })

  it('keeps a stream named __proto__ as an ordinary stream', () => {
    const msg = decodeOne(record(0, streams([['__proto__', stream('P')]])))
    expect(Object.keys(msg?.streams ?? {})).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(msg?.streams)).toBe(Object.prototype)
  })

  it.each([
    ['a bare array', [0, streams()], /expected tag 42877, found an array of 2/],
    ['another tag', new Tag([0, streams()], 42878), /expected tag 42877, found tag 42878/],
    [
      'too few elements',
      record(0),
      /expected \[event_number, streams, created_at\?\], found an array of 1/,
    ],
    ['too many elements', record(0, streams(), null, 1), /found an array of 4/],
    ['a negative event number', record(-1, streams()), /event number is the number -1/],
    ['a fractional event number', record(1.5, streams()), /event number is the number 1.5/],
    ['a text event number', record('1', streams()), /event number is the text string '1'/],
    ['an event number past 2^53', record(2n ** 60n, streams()), /not a non-negative integer/],
    ['streams as an array', record(0, []), /streams is an array of 0, not a map/],
    ['a numeric stream name', record(0, streams([[1, stream()]])), /stream name the number 1/],
    [
      'an empty stream name',
      record(0, streams([['', stream()]])),
      /stream name the text string ''/,
    ],
    [
      'untagged stream data',
      record(0, streams([['a', ['STINS', []]]])),
      /stream 'a': expected tag 42878/,
    ],
    ['stream data of 3', record(0, streams([['a', new Tag([1, 2, 3], 42878)]])), /\[typ, frames\]/],
    ['a numeric typ', record(0, streams([['a', stream(7)]])), /stream 'a': typ is the number 7/],
    [
      'frames as a map',
      record(0, streams([['a', stream('T', new Map())]])),
      /frames is a map of 0/,
    ],
    [
      'a text frame',
      record(0, streams([['a', stream('T', [frame, 'x'])]])),
      /frame 1 is the text string 'x'/,
    ],
    ['a null frame', record(0, streams([['a', stream('T', [null])]])), /frame 0 is null/],
    [
      'an untagged created_at',
      record(0, streams(), '2024-01-01T00:00:00Z'),
      /created_at is the text string/,
    ],
    [
      'an unparsable created_at',
      record(0, streams(), new Tag('yesterday', 0)),
      /created_at is an invalid date, not a valid/,
    ],
  ])('names the problem with %s', (_name, value, reason) => {
    const message = corruptReason(value)
    expect(message).toMatch(reason)
    expect(message).toMatch(/^x\.cbors: record 1 is not a worker message: /)
  })
})

describe('records as cbor2 5.4.6 (Dranspose) writes them', () => {
  // cbor2.dumps(CBORTag(55799, CBORTag(42877, (n, {'xrd': CBORTag(42878, ('STINS', [b'abc', b'']))}, created_at))))
  const head = 'd9d9f7d9a77d83'
  const body = 'a163787264d9a77e82655354494e53824361626340'
  const vectors: [string, string, string | undefined][] = [
    [
      'an aware datetime (tag 0)',
      `${head}00${body}c07820323032342d30352d30315431323a33343a35362e3132333435362b30323a3030`,
      '2024-05-01T10:34:56.123Z',
    ],
    ['created_at None', `${head}01${body}f6`, undefined],
    [
      'datetime_as_timestamp (tag 1)',
      `${head}02${body}c1fb41d98c86b407e6b4`,
      '2024-05-01T10:34:56.123Z',
    ],
  ]
  it.each(vectors)('reads %s', (_name, hex, iso) => {
    const [msg] = decodeRecording(Buffer.from(hex, 'hex'), 'cbor2.cbors')
    expect(msg?.streams.xrd?.typ).toBe('STINS')
    expect(msg?.streams.xrd?.frames.map((f) => Buffer.from(f).toString())).toEqual(['abc', ''])
    expect(msg?.createdAt?.toISOString()).toBe(iso)
  })
})

describe('parseRecord', () => {
  it('never throws on odd values', () => {
    for (const value of [undefined, null, 0, 'x', [], new Map(), new Tag(undefined, 42877), {}]) {
      expect(parseRecord(value).ok).toBe(false)
    }
  })
})
