import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeRecording } from '../../../src/codec/recording-decode.js'
import { encodeRecord } from '../../../src/codec/recording-encode.js'
import { type RecordingReadOptions, readRecording } from '../../../src/codec/recording-reader.js'
import { createRecordingWriter } from '../../../src/codec/recording-writer.js'
import type { StreamData, WorkerMessage } from '../../../src/protocol/event.js'
import { eventNumber } from '../../../src/protocol/ids.js'

let dir: string
let fileCount = 0
const nextFile = (ext = '.cbors') => path.join(dir, `rec-${fileCount++}${ext}`)

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beamloom-roundtrip-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Frames as plain Uint8Arrays or as views into a larger buffer (what zmq and parsers hand out). */
const frame = fc.oneof(
  fc.uint8Array({ maxLength: 6000 }),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.nat())
    .map(([b, x, y]) => Buffer.from(b).subarray(x % b.length, (x % b.length) + (y % b.length))),
)
const streamData: fc.Arbitrary<StreamData> = fc.record({
  typ: fc.string({ maxLength: 20 }),
  frames: fc.array(frame, { maxLength: 4 }),
})
const streams = fc
  .uniqueArray(
    fc.tuple(fc.oneof(fc.string({ minLength: 1 }), fc.constant('__proto__')), streamData),
    {
      maxLength: 4,
      selector: ([name]) => name,
    },
  )
  .map((entries) => Object.fromEntries(entries))
const date = fc.date({
  min: new Date(0),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
})
const message: fc.Arbitrary<WorkerMessage> = fc
  .record({ n: fc.maxSafeNat(), streams, createdAt: fc.option(date, { nil: undefined }) })
  .map(({ n, streams, createdAt }) =>
    createdAt === undefined
      ? { eventNumber: eventNumber(n), streams }
      : { eventNumber: eventNumber(n), streams, createdAt },
  )

/** A comparable form: frames as hex, dates as ms; fails loudly on inherited stream names. */
function plain(msg: WorkerMessage) {
  return {
    eventNumber: msg.eventNumber,
    streams: Object.entries(msg.streams).map(([name, d]) => ({
      name,
      typ: d.typ,
      frames: d.frames.map((f) =>
        Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('hex'),
      ),
    })),
    createdAtMs: msg.createdAt?.getTime(),
  }
}

async function writeAll(file: string, messages: readonly WorkerMessage[], includeCreatedAt = true) {
  const writer = await createRecordingWriter(file, { includeCreatedAt })
  for (const msg of messages) await writer.write(msg)
  await writer.close()
  return writer
}

async function readAll(file: string, options: RecordingReadOptions = {}) {
  const out: WorkerMessage[] = []
  for await (const msg of readRecording(file, options)) out.push(msg)
  return out
}

describe('recording round trip', () => {
  it('encodeRecord → decodeRecording gives back every message (in memory)', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (messages) => {
        const bytes = Buffer.concat(messages.map((m) => encodeRecord(m)))
        expect(decodeRecording(bytes, 'mem').map(plain)).toEqual(messages.map(plain))
      }),
      { numRuns: 200 },
    )
  })

  it('writer → streaming reader, with any chunk size, gives back every message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 6 }),
        fc.integer({ min: 1, max: 20_000 }),
        async (messages, chunkBytes) => {
          const file = nextFile()
          const writer = await writeAll(file, messages)
          expect(writer.recordsWritten).toBe(messages.length)
          expect((await readFile(file)).length).toBe(writer.bytesWritten)
          expect((await readAll(file, { chunkBytes })).map(plain)).toEqual(messages.map(plain))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('keeps createdAt to the millisecond, or drops it when asked', async () => {
    const createdAt = new Date('2024-03-01T10:20:30.456Z')
    const msg: WorkerMessage = { eventNumber: eventNumber(7), streams: {}, createdAt }
    const withDate = nextFile()
    await writeAll(withDate, [msg])
    expect((await readAll(withDate))[0]?.createdAt?.toISOString()).toBe('2024-03-01T10:20:30.456Z')
    const withoutDate = nextFile()
    await writeAll(withoutDate, [msg], false)
    const [back] = await readAll(withoutDate)
    expect(back).toEqual({ eventNumber: 7, streams: {} })
    // The two-element array of older recordings: 0x82 after the two tag heads.
    expect((await readFile(withoutDate))[6]).toBe(0x82)
  })

  it('handles several streams, empty frame lists and empty frames', async () => {
    const msg: WorkerMessage = {
      eventNumber: eventNumber(3),
      streams: {
        eiger: { typ: 'EIGER_LEGACY', frames: [] },
        pcap: { typ: 'PCAP', frames: [new Uint8Array(0), Uint8Array.of(1, 2, 3)] },
        'ø-unicode': { typ: '', frames: [Uint8Array.of(255)] },
      },
    }
    const file = nextFile()
    await writeAll(file, [msg, msg])
    expect((await readAll(file, { chunkBytes: 2 })).map(plain)).toEqual([plain(msg), plain(msg)])
  })

  it('streams a 5 MiB frame across tiny chunks', async () => {
    const big = randomBytes(5 * 1024 * 1024)
    const messages: WorkerMessage[] = [
      { eventNumber: eventNumber(0), streams: { a: { typ: 'T', frames: [Uint8Array.of(1)] } } },
      { eventNumber: eventNumber(1), streams: { a: { typ: 'T', frames: [big.subarray(1), big] } } },
      { eventNumber: eventNumber(2), streams: { a: { typ: 'T', frames: [Uint8Array.of(2)] } } },
    ]
    const file = nextFile()
    await writeAll(file, messages)
    for (const chunkBytes of [997, 65_536]) {
      const back = await readAll(file, { chunkBytes })
      expect(back.map((m) => m.eventNumber)).toEqual([0, 1, 2])
      const frames = back[1]?.streams.a?.frames ?? []
      expect(Buffer.compare(Buffer.from(frames[1] ?? []), big)).toBe(0)
      expect(Buffer.compare(Buffer.from(frames[0] ?? []), big.subarray(1))).toBe(0)
    }
  })

  it('re-encodes the Dranspose fixture byte for byte', async () => {
    const fixture = await readFile(path.resolve(process.cwd(), '../shared/fixtures/dump_xrd.cbors'))
    const messages = decodeRecording(fixture, 'dump_xrd.cbors')
    expect(Buffer.compare(Buffer.concat(messages.map((m) => encodeRecord(m))), fixture)).toBe(0)
  })

  it('reads and writes gzip when the name ends in .gz', async () => {
    const messages = fc.sample(message, { numRuns: 20, seed: 42 })
    const file = nextFile('.cbors.gz')
    await writeAll(file, messages)
    const bytes = await readFile(file)
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b])
    expect((await readAll(file, { chunkBytes: 33 })).map(plain)).toEqual(messages.map(plain))
  })

  it('reports damaged gzip data as corrupt', async () => {
    const file = nextFile('.cbors.gz')
    await writeAll(file, fc.sample(message, { numRuns: 10, seed: 9 }))
    const bytes = Buffer.from(await readFile(file))
    for (let i = 20; i < bytes.length - 20; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a
    const bad = nextFile('.cbors.gz')
    await writeFile(bad, bytes)
    const error = await readAll(bad).catch((err: unknown) => err)
    expect(error).toMatchObject({ code: 'RECORDING_CORRUPT', file: bad })
    expect(String(error)).toMatch(/gzip data is corrupt|not a worker message|not well-formed/)
  })

  it('closes the file when the reader stops early', async () => {
    const file = nextFile()
    await writeAll(file, fc.sample(message, { numRuns: 5, seed: 3 }))
    const openFds = async () => (await readdir('/proc/self/fd').catch(() => [])).length
    const before = await openFds()
    for (let i = 0; i < 20; i++) {
      for await (const _ of readRecording(file, { chunkBytes: 64 })) break
    }
    expect(await openFds()).toBe(before)
  })

  it('reports a cut-off gzip recording as truncated', async () => {
    const messages = fc.sample(message, { numRuns: 10, seed: 7 })
    const file = nextFile('.cbors.gz')
    await writeAll(file, messages)
    const cut = nextFile('.cbors.gz')
    const bytes = await readFile(file)
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)))
    await expect(readAll(cut)).rejects.toMatchObject({ code: 'RECORDING_TRUNCATED', file: cut })
  })
})
