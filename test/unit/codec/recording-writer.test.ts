import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeRecord } from '../../../src/codec/recording-encode.js'
import { readRecording } from '../../../src/codec/recording-reader.js'
import { createRecordingWriter } from '../../../src/codec/recording-writer.js'
import type { WorkerMessage } from '../../../src/protocol/event.js'
import { eventNumber } from '../../../src/protocol/ids.js'

let dir: string
let fileCount = 0
const nextFile = () => path.join(dir, `w-${fileCount++}.cbors`)
const msg = (n: number, frame = Uint8Array.of(n % 256)): WorkerMessage => ({
  eventNumber: eventNumber(n),
  streams: { s: { typ: 'T', frames: [frame] } },
})

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beamloom-writer-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function eventNumbersIn(file: string) {
  const out: number[] = []
  for await (const m of readRecording(file)) out.push(m.eventNumber)
  return out
}

describe('createRecordingWriter', () => {
  it('close is idempotent and write after close fails with STATE_INVALID', async () => {
    const writer = await createRecordingWriter(nextFile())
    await writer.write(msg(0))
    const first = writer.close()
    expect(writer.close()).toBe(first)
    await first
    await writer.close()
    await expect(writer.write(msg(1))).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })

  it('rejects at creation when the file cannot be opened', async () => {
    await expect(
      createRecordingWriter(path.join(dir, 'no', 'such', 'dir.cbors')),
    ).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })

  it('waits for the file stream to drain before resolving a large write', async () => {
    const writer = await createRecordingWriter(nextFile())
    let resolved = false
    const write = writer.write(msg(0, new Uint8Array(1024 * 1024))).then(() => {
      resolved = true
    })
    await Promise.resolve()
    expect(resolved).toBe(false)
    await write
    expect(resolved).toBe(true)
    await writer.close()
  })

  it('keeps order when writes are not awaited one by one', async () => {
    const file = nextFile()
    const writer = await createRecordingWriter(file)
    const numbers = Array.from({ length: 50 }, (_, i) => i)
    await Promise.all(numbers.map((n) => writer.write(msg(n, new Uint8Array(10_000 + n)))))
    await writer.close()
    expect(await eventNumbersIn(file)).toEqual(numbers)
  })

  it('rejects an unencodable message without writing anything', async () => {
    const file = nextFile()
    const writer = await createRecordingWriter(file)
    await writer.write(msg(1))
    const bad = { ...msg(2), createdAt: new Date(Number.NaN) }
    await expect(writer.write(bad)).rejects.toMatchObject({ code: 'PROTOCOL_INVALID' })
    await expect(writer.write(msg(-1))).rejects.toMatchObject({ code: 'PROTOCOL_INVALID' })
    await writer.write(msg(3))
    await writer.close()
    expect(writer.recordsWritten).toBe(2)
    expect(await eventNumbersIn(file)).toEqual([1, 3])
  })

  it('appends to an existing recording when asked, replaces it otherwise', async () => {
    const file = nextFile()
    for (const n of [1, 2]) {
      const writer = await createRecordingWriter(file, { append: true })
      await writer.write(msg(n))
      await writer.close()
    }
    expect(await eventNumbersIn(file)).toEqual([1, 2])
    const writer = await createRecordingWriter(file)
    await writer.write(msg(9))
    await writer.close()
    expect(await eventNumbersIn(file)).toEqual([9])
    expect(await readFile(file)).toEqual(Buffer.from(encodeRecord(msg(9))))
  })
})
