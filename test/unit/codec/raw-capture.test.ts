import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeRawCapture } from '../../../src/codec/raw-capture-decode.js'
import {
  type RawCaptureReadOptions,
  readRawCapture,
} from '../../../src/codec/raw-capture-reader.js'
import {
  createRawCaptureWriter,
  encodeRawCaptureItem,
} from '../../../src/codec/raw-capture-writer.js'
import { RecordingError } from '../../../src/errors.js'

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures')
const fixture = (name: string) => path.join(FIXTURES, name)
const json = (part: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(part ?? []).toString('utf8'))
const hex = (parts: readonly Uint8Array[]) => parts.map((p) => Buffer.from(p).toString('hex'))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beamloom-raw-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function readAll(file: string, options: RawCaptureReadOptions = {}) {
  const out: Uint8Array[][] = []
  for await (const parts of readRawCapture(file, options)) out.push(parts)
  return out
}

describe('raw captures in ../shared/fixtures', () => {
  it('reads every raw capture as arrays of byte strings, the same with tiny chunks', async () => {
    const names = (await readdir(FIXTURES)).filter(
      (n) => n.endsWith('.cbors') && n !== 'dump_xrd.cbors',
    )
    expect(names.length).toBeGreaterThanOrEqual(6)
    for (const name of names) {
      const messages = await readAll(fixture(name))
      expect(messages.length, name).toBeGreaterThan(2)
      for (const parts of messages) {
        expect(parts.length, name).toBeGreaterThan(0)
        for (const part of parts) expect(part).toBeInstanceOf(Uint8Array)
      }
      const small = await readAll(fixture(name), { chunkBytes: 777 })
      expect(small.map(hex), name).toEqual(messages.map(hex))
    }
  })

  it('albaem-dump: series-start, 4 data frames, series-end', async () => {
    const messages = await readAll(fixture('albaem-dump.cbors'))
    expect(messages.map((m) => m.length)).toEqual([1, 1, 1, 1, 1, 1])
    const types = messages.map((m) => json(m[0]))
    expect(types[0]).toMatchObject({ message_type: 'series-start' })
    expect(types.slice(1, 5)).toMatchObject(
      [0, 1, 2, 3].map((n) => ({ message_type: 'data', frame_number: n })),
    )
    expect(types[5]).toMatchObject({ message_type: 'series-end' })
  })

  it('xspress3-dump: header, 20 frames of three messages, series_end', async () => {
    const messages = await readAll(fixture('xspress3-dump.cbors'))
    expect(messages).toHaveLength(1 + 20 * 3 + 1)
    expect(json(messages[0]?.[0])).toMatchObject({ htype: 'header' })
    for (let frame = 0; frame < 20; frame++) {
      const [meta, spectra, pickle] = messages.slice(1 + frame * 3, 4 + frame * 3)
      expect(json(meta?.[0])).toMatchObject({ htype: 'image', frame, shape: [4, 4096] })
      expect(spectra?.[0]?.byteLength).toBe(4 * 4096 * 4)
      expect(pickle?.[0]?.[0]).toBe(0x80) // pickle protocol marker
    }
    expect(json(messages[61]?.[0])).toMatchObject({ htype: 'series_end' })
  })

  it('xspress3-multipart: header, 5 three-part frames, series_end', async () => {
    const messages = await readAll(fixture('xspress3-multipart.cbors'))
    expect(messages.map((m) => m.length)).toEqual([1, 3, 3, 3, 3, 3, 1])
    expect(messages.slice(1, 6).map((m) => m[1]?.byteLength)).toEqual(Array(5).fill(65536))
  })

  it('eiger-small: 9-part header, 3 five-part images, series end', async () => {
    const messages = await readAll(fixture('eiger-small.cbors'))
    expect(messages.map((m) => m.length)).toEqual([9, 5, 5, 5, 1])
    expect(json(messages[0]?.[0])).toMatchObject({ htype: 'dheader-1.0' })
    expect(messages.slice(1, 4).map((m) => json(m[0]))).toMatchObject(
      [0, 1, 2].map((frame) => ({ frame })),
    )
    expect(json(messages[4]?.[0])).toMatchObject({ htype: 'dseries_end-1.0' })
  })

  it('pcap-zmq: series-start, 100 data batches of 1500 rows in all, series-end', async () => {
    const messages = await readAll(fixture('pcap-zmq.cbors'))
    expect(messages).toHaveLength(102)
    expect(json(messages[0]?.[0])).toMatchObject({ message_type: 'series-start' })
    expect(json(messages[101]?.[0])).toMatchObject({ message_type: 'series-end' })
  })

  it('contrast-dump: 26 pickled messages', async () => {
    const messages = await readAll(fixture('contrast-dump.cbors'))
    expect(messages).toHaveLength(26)
    for (const [part] of messages) expect(part?.[0]).toBe(0x80)
  })
})

describe('raw capture round trip and errors', () => {
  const message = fc.array(fc.uint8Array({ maxLength: 9000 }), { maxLength: 5 })

  it('writer → reader gives back every message, with any chunk size', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 8 }),
        fc.integer({ min: 1, max: 9000 }),
        async (messages, chunkBytes) => {
          const file = path.join(dir, `rt-${n++}.cbors`)
          const writer = await createRawCaptureWriter(file)
          for (const parts of messages) await writer.write(parts)
          await writer.close()
          expect(writer.messagesWritten).toBe(messages.length)
          expect((await readAll(file, { chunkBytes })).map(hex)).toEqual(messages.map(hex))
          expect(decodeRawCapture(await readFile(file), 'mem').map(hex)).toEqual(messages.map(hex))
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses an item larger than maxItemBytes', async () => {
    const error = await readAll(fixture('eiger-small.cbors'), { maxItemBytes: 1000 }).catch(
      (err: unknown) => err,
    )
    expect(error).toMatchObject({ code: 'RECORDING_CORRUPT', offset: 0 })
    expect(String(error)).toMatch(/item 0 needs at least \d+ bytes, more than the limit of 1000/)
  })

  it('re-encodes a real capture byte for byte', async () => {
    const bytes = await readFile(fixture('eiger-small.cbors'))
    const again = Buffer.concat(
      decodeRawCapture(bytes, 'eiger-small.cbors').map(encodeRawCaptureItem),
    )
    expect(Buffer.compare(again, bytes)).toBe(0)
  })

  it('reports truncation and non-array items with file and offset', async () => {
    const bytes = await readFile(fixture('albaem-dump.cbors'))
    const cutFile = path.join(dir, 'cut.cbors')
    await writeFile(cutFile, bytes.subarray(0, 100))
    await expect(readAll(cutFile, { chunkBytes: 10 })).rejects.toMatchObject({
      code: 'RECORDING_TRUNCATED',
      offset: 66, // the first message is 0x81 0x58 0x3f + 63 bytes
      message: `${cutFile}: file ends inside item 1 (34 bytes present, at least 292 needed) at byte offset 66`,
    })
    const tagged = path.join(dir, 'tagged.cbors')
    await writeFile(
      tagged,
      Buffer.concat([bytes.subarray(0, 66), Buffer.from([0x82, 0x41, 0x00, 0x61, 0x61])]),
    )
    const error = await readAll(tagged).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(RecordingError)
    expect(error).toMatchObject({ code: 'RECORDING_CORRUPT', offset: 66 })
    expect(String(error)).toMatch(
      /message 1 is not a raw capture message: part 1 is the text string 'a'/,
    )
  })
})
