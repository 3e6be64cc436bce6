import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeRecording } from '../../../src/codec/recording-decode.js'
import { readRecording } from '../../../src/codec/recording-reader.js'
import { RecordingError } from '../../../src/errors.js'
import type { WorkerMessage } from '../../../src/protocol/event.js'

const FIXTURE = path.resolve(process.cwd(), '../shared/fixtures', 'dump_xrd.cbors')
const text = (frame: Uint8Array | undefined) => Buffer.from(frame ?? []).toString('utf8')

let original: Buffer
/** Offsets of the 11 records, found independently of the reader: each starts d9 d9 f7 d9 a7 7d. */
let recordOffsets: number[]
let dir: string

beforeAll(async () => {
  original = await readFile(FIXTURE)
  recordOffsets = []
  const marker = Buffer.from([0xd9, 0xd9, 0xf7, 0xd9, 0xa7, 0x7d])
  for (let at = original.indexOf(marker); at >= 0; at = original.indexOf(marker, at + 1)) {
    recordOffsets.push(at)
  }
  dir = await mkdtemp(path.join(tmpdir(), 'beamloom-recording-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function collect(file: string, chunkBytes?: number): Promise<WorkerMessage[]> {
  const out: WorkerMessage[] = []
  for await (const msg of readRecording(file, chunkBytes ? { chunkBytes } : {})) out.push(msg)
  return out
}

/** Reads until the reader rejects; returns how many messages came first and the error. */
async function readUntilError(file: string, chunkBytes: number) {
  let count = 0
  try {
    for await (const _ of readRecording(file, { chunkBytes })) count++
  } catch (error) {
    return { count, error }
  }
  throw new Error(`${file} was read without error (${count} messages)`)
}

async function withBytes(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  return file
}

function expectRecordingError(error: unknown, code: string, file: string, offset: number) {
  expect(error).toBeInstanceOf(RecordingError)
  if (!(error instanceof RecordingError)) return
  expect(error.code).toBe(code)
  expect(error.offset).toBe(offset)
  expect(error.file).toBe(file)
  expect(error.message).toContain(file)
  expect(error.message).toContain(`at byte offset ${offset}`)
}

describe('reading dump_xrd.cbors (recorded by Dranspose)', () => {
  it('has the 11 records the README describes', () => {
    expect(recordOffsets).toHaveLength(11)
    expect(recordOffsets[0]).toBe(0)
  })

  it.each([1, 5, 64, 4096, undefined])(
    'reads 11 STINS events with chunks of %s bytes',
    async (chunk) => {
      const messages = await collect(FIXTURE, chunk)
      expect(messages.map((m) => m.eventNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      for (const msg of messages) {
        expect(Object.keys(msg.streams)).toEqual(['xrd'])
        expect(msg.streams.xrd?.typ).toBe('STINS')
        expect(msg.createdAt).toBeUndefined()
      }
      const header = messages[0]?.streams.xrd?.frames ?? []
      expect(header).toHaveLength(1)
      expect(text(header[0])).toContain('output/xrd.h5')
      expect(JSON.parse(text(header[0]))).toMatchObject({ htype: 'header' })
      for (const [i, msg] of messages.slice(1, 10).entries()) {
        const frames = msg.streams.xrd?.frames ?? []
        expect(frames).toHaveLength(2)
        expect(JSON.parse(text(frames[0]))).toMatchObject({
          htype: 'image',
          frame: i,
          shape: [10, 10],
        })
        expect(frames[1]?.byteLength).toBe(200)
      }
      const end = messages[10]?.streams.xrd?.frames ?? []
      expect(JSON.parse(text(end[0]))).toMatchObject({ htype: 'series_end' })
    },
  )

  it('gives frames as views into the read buffer, not copies', async () => {
    const [first] = await collect(FIXTURE)
    const frame = first?.streams.xrd?.frames[0]
    expect(frame?.buffer.byteLength).toBeGreaterThan(frame?.byteLength ?? 0)
  })

  it('decodes the same from memory with decodeRecording', async () => {
    const fromFile = await collect(FIXTURE, 100)
    expect(decodeRecording(original, 'dump_xrd.cbors')).toEqual(fromFile)
  })
})

describe('a truncated recording', () => {
  /** Where the record containing byte `cut - 1` (the last one kept) starts. */
  const recordStartBefore = (cut: number) => recordOffsets.filter((o) => o < cut).at(-1) ?? 0

  it('fails with RECORDING_TRUNCATED at the incomplete record, cut at every byte (in memory)', () => {
    for (let cut = 1; cut < original.length; cut++) {
      if (recordOffsets.includes(cut)) {
        expect(decodeRecording(original.subarray(0, cut), 'cut')).toHaveLength(
          recordOffsets.indexOf(cut),
        )
        continue
      }
      let error: unknown
      try {
        decodeRecording(original.subarray(0, cut), 'cut.cbors')
      } catch (err) {
        error = err
      }
      expectRecordingError(error, 'RECORDING_TRUNCATED', 'cut.cbors', recordStartBefore(cut))
    }
  })

  it('fails the same when streamed from a file, after yielding the whole records', async () => {
    const cuts = [1, 2, 5, 6, 77, 427, 428, 429, 1000, 2000, original.length - 1]
    for (const [i, cut] of cuts.entries()) {
      const file = await withBytes(`cut-${cut}.cbors`, original.subarray(0, cut))
      const { count, error } = await readUntilError(file, [1, 3, 64, 4096][i % 4] ?? 1)
      const start = recordStartBefore(cut)
      expectRecordingError(error, 'RECORDING_TRUNCATED', file, start)
      expect(count).toBe(recordOffsets.indexOf(start))
    }
  })
})

describe('a corrupt recording', () => {
  it('names the record whose tag is not 42877', async () => {
    const bad = Buffer.from(original)
    const at = recordOffsets[3] ?? 0
    bad[at + 5] = 0x7f // tag 42877 → 42879
    const file = await withBytes('bad-tag.cbors', bad)
    const { count, error } = await readUntilError(file, 16)
    expect(count).toBe(3)
    expectRecordingError(error, 'RECORDING_CORRUPT', file, at)
    expect(String(error)).toMatch(
      /record 3 is not a worker message: expected tag 42877, found tag 42879/,
    )
  })

  it('names the record that starts with a byte that is not CBOR', async () => {
    const bad = Buffer.from(original)
    const at = recordOffsets[5] ?? 0
    bad[at] = 0x1c // reserved additional information
    const file = await withBytes('bad-head.cbors', bad)
    const { count, error } = await readUntilError(file, 4096)
    expect(count).toBe(5)
    expectRecordingError(error, 'RECORDING_CORRUPT', file, at)
    expect(String(error)).toMatch(/not well-formed CBOR: reserved additional information/)
  })

  it('names a stray item between records', async () => {
    const at = recordOffsets[2] ?? 0
    const bad = Buffer.concat([
      original.subarray(0, at),
      Buffer.from([0x00]),
      original.subarray(at),
    ])
    const file = await withBytes('stray.cbors', bad)
    const { count, error } = await readUntilError(file, 7)
    expect(count).toBe(2)
    expectRecordingError(error, 'RECORDING_CORRUPT', file, at)
    expect(String(error)).toMatch(/found the number 0/)
  })

  it('names a frame that is not a byte string', async () => {
    const bad = Buffer.from(original)
    expect(bad[24]).toBe(0x58) // record 0: header frame, bstr with 1-byte length
    bad[24] = 0x78 // same length, as a text string
    const file = await withBytes('text-frame.cbors', bad)
    const { error } = await readUntilError(file, 4096)
    expectRecordingError(error, 'RECORDING_CORRUPT', file, 0)
    expect(String(error)).toMatch(/stream 'xrd': frame 0 is the text string/)
  })

  it('wraps what cbor-x cannot decode, keeping its error as the cause', async () => {
    // Record 0's header frame as an indefinite-length byte string: well-formed CBOR that
    // cbor-x refuses. 0x58 0x41 <65 bytes> → 0x5f 0x58 0x41 <65 bytes> 0xff.
    const at = 24
    const frameEnd = at + 2 + 65
    const bad = Buffer.concat([
      original.subarray(0, at),
      Buffer.from([0x5f]),
      original.subarray(at, frameEnd),
      Buffer.from([0xff]),
      original.subarray(frameEnd),
    ])
    const file = await withBytes('indefinite.cbors', bad)
    const { error } = await readUntilError(file, 4096)
    expectRecordingError(error, 'RECORDING_CORRUPT', file, 0)
    expect(String(error)).toMatch(/record 0 cannot be decoded/)
    expect(error instanceof Error && error.cause instanceof Error).toBe(true)
  })

  it('reports a head claiming more bytes than the file has as truncated, without allocating them', async () => {
    const huge = Buffer.from([0xd9, 0xd9, 0xf7, 0xd9, 0xa7, 0x7d, 0x82, 0x00, 0xa1, 0x61, 0x78])
    const claim = Buffer.from([0x5b, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00]) // 16 TiB bstr
    const file = await withBytes('huge.cbors', Buffer.concat([original, huge, claim]))
    const { count, error } = await readUntilError(file, 4096)
    expect(count).toBe(11)
    expectRecordingError(error, 'RECORDING_TRUNCATED', file, original.length)
  })

  it('rejects with the fs error for a missing file', async () => {
    await expect(collect(path.join(dir, 'missing.cbors'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
