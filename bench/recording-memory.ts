/**
 * Memory and speed of reading a large `.cbors` recording: writes a recording of the given size
 * (MB, default 300) of 2 MiB frames to a temporary directory, reads it back with
 * `readRecording`, and prints RSS before and at peak, and the read rate.
 *
 *   npm run build && node dist/bench/recording-memory.js [megabytes]
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRecordingWriter, eventNumber, readRecording } from '../src/internal.js'

const megabytes = Number(process.argv[2] ?? 300)
const dir = await mkdtemp(path.join(tmpdir(), 'beamloom-bench-'))
const file = path.join(dir, 'big.cbors')
const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
try {
  const frame = randomBytes(2 * 1024 * 1024)
  const header = Buffer.from(JSON.stringify({ htype: 'image', shape: [1024, 1024] }))
  const records = Math.ceil((megabytes * 1024 * 1024) / (frame.length + header.length))
  const writer = await createRecordingWriter(file)
  for (let i = 0; i < records; i++) {
    await writer.write({
      eventNumber: eventNumber(i),
      streams: { det: { typ: 'STINS', frames: [header, frame] } },
      createdAt: new Date(),
    })
  }
  await writer.close()
  const { size } = await stat(file)

  const before = process.memoryUsage().rss
  let peak = before
  let count = 0
  const started = performance.now()
  for await (const _msg of readRecording(file)) {
    count++
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  const seconds = (performance.now() - started) / 1000
  console.log(`file           ${mb(size)} MB, ${count} records`)
  console.log(`rss before     ${mb(before)} MB`)
  console.log(
    `rss peak       ${mb(peak)} MB (+${mb(peak - before)} MB, ${(((peak - before) / size) * 100).toFixed(1)}% of the file)`,
  )
  console.log(`read rate      ${(size / 1024 / 1024 / seconds).toFixed(0)} MB/s (page cache)`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
