import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeRecord } from '../../../src/codec/recording-encode.js'
import { readRecording } from '../../../src/codec/recording-reader.js'
import { createRecordingWriter } from '../../../src/codec/recording-writer.js'
import type { WorkerMessage } from '../../../src/protocol/event.js'
import { eventNumber } from '../../../src/protocol/ids.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'beamloom-memory-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const msg = (n: number, frames: Uint8Array[], createdAt?: Date): WorkerMessage => ({
  eventNumber: eventNumber(n),
  streams: { det: { typ: 'T', frames } },
  ...(createdAt ? { createdAt } : {}),
})

describe('read buffer bound', () => {
  // Frames are views into the reader's buffer (allocated unpooled, so `buffer.byteLength` is
  // exactly what the reader holds): it must never exceed the largest record so far + 1 chunk.
  it('holds at most one record plus one chunk', async () => {
    const frameSizes = fc.array(fc.oneof(fc.nat(300), fc.integer({ min: 5000, max: 150_000 })), {
      maxLength: 6,
    })
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(frameSizes, fc.boolean()), { minLength: 1, maxLength: 8 }),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1000, max: 70_000 })),
        async (shapes, chunkBytes) => {
          const file = path.join(dir, `bound-${n++}.cbors`)
          // Tiny chunks mean one read per few bytes: keep those files small.
          const cap = chunkBytes < 1000 ? 3000 : Number.POSITIVE_INFINITY
          const messages = shapes.map(([sizes, dated], i) =>
            msg(
              i,
              sizes.map((size) => new Uint8Array(Math.min(size, cap)).fill(i)),
              dated ? new Date() : undefined,
            ),
          )
          const writer = await createRecordingWriter(file)
          for (const m of messages) await writer.write(m)
          await writer.close()
          let largest = 0
          let i = 0
          for await (const back of readRecording(file, { chunkBytes })) {
            largest = Math.max(largest, encodeRecord(messages[i++] ?? back).length)
            for (const frame of back.streams.det?.frames ?? []) {
              expect(frame.buffer.byteLength).toBeLessThanOrEqual(largest + chunkBytes)
            }
          }
          expect(i).toBe(messages.length)
        },
      ),
      { numRuns: 25 },
    )
    // 25 files written and read back in tiny chunks: seconds on a loaded machine.
  }, 60_000)
})
