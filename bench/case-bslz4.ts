/**
 * `bslz4` case: the bitshuffle-LZ4 decoder (WebAssembly, the default, and the TypeScript one)
 * on simulated 1024×1024 uint16 detector frames (Poisson background and a spot, as the STINS
 * simulator makes them), in MB/s of decoded data on one core, against a plain copy of the same
 * number of bytes in the same run. Prints a `BENCH_RESULT` line (bench-report.ts).
 *
 *   node dist/bench/case-bslz4.js [--runs=5] [--quick]
 */
import { createSpotImages } from '../ingesters/index.js'
import { decodeBitshuffleLz4, encodeBitshuffleLz4 } from '../src/internal.js'
import { argValue, emitReport } from './bench-report.js'

const quick = process.argv.includes('--quick')
const runs = Number(argValue('runs') ?? (quick ? 3 : 5))
const FRAMES = 8
const image = createSpotImages({ shape: [1024, 1024], dtype: 'uint16' })
const raw = Array.from({ length: FRAMES }, (_, i) => {
  const a = image(i)
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
})
const blobs = raw.map((r) => encodeBitshuffleLz4(r, 2))
const bytesPerRound = raw.reduce((s, r) => s + r.length, 0)
const compressed = blobs.reduce((s, b) => s + b.length, 0)

function rate(rounds: number, body: () => void): number {
  const t0 = performance.now()
  for (let r = 0; r < rounds; r++) body()
  return (rounds * bytesPerRound) / 1e6 / ((performance.now() - t0) / 1000)
}

const decodeRounds = quick ? 4 : 10
const target = new Uint8Array(bytesPerRound)
const decode: number[] = []
const decodeTs: number[] = []
const copy: number[] = []
const decodeAll = (implementation: 'wasm' | 'ts') => () => {
  for (const b of blobs) {
    const out = decodeBitshuffleLz4(b, 2, { implementation })
    if (!out.complete) throw new Error('bench frame did not decode completely')
  }
}
rate(2, decodeAll('wasm'))
rate(2, decodeAll('ts'))
for (let i = 0; i < runs; i++) {
  decode.push(rate(decodeRounds * 4, decodeAll('wasm')))
  decodeTs.push(rate(decodeRounds, decodeAll('ts')))
  copy.push(
    rate(decodeRounds * 20, () => {
      let at = 0
      for (const r of raw) {
        target.set(r, at)
        at += r.length
      }
    }),
  )
}
emitReport({
  rows: [
    {
      case: 'bslz4',
      metric: 'memcpy of the decoded bytes (reference)',
      unit: 'MB/s',
      samples: copy,
      id: 'memcpy',
    },
    {
      case: 'bslz4',
      metric: `WebAssembly decode, 1024×1024 u16 (ratio ${(bytesPerRound / compressed).toFixed(1)}:1)`,
      unit: 'MB/s',
      samples: decode,
      referenceId: 'memcpy',
      targets: [{ op: '>=', value: 1000 }],
    },
    {
      case: 'bslz4',
      metric: 'TypeScript decode (fallback), same frames',
      unit: 'MB/s',
      samples: decodeTs,
      referenceId: 'memcpy',
      targets: [{ op: '>=', value: 300 }],
    },
  ],
})
