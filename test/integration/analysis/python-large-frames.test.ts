import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkerRunner } from '../../../src/analysis/analysis-runner.js'
import { createPythonWorkerRunner, decodePayload } from '../../../src/internal.js'
import { event, LIMITS, pyModule, textParameters } from './python-harness.js'

const P = textParameters({})
let runner: WorkerRunner

/** A 4 MiB frame of uint32 `base + i`. */
function frame(base: number): { bytes: Uint8Array; sum: bigint } {
  const values = new Uint32Array(1 << 20)
  let sum = 0n
  for (let i = 0; i < values.length; i++) {
    values[i] = base + i
    sum += BigInt(base + i)
  }
  return { bytes: new Uint8Array(values.buffer), sum }
}

beforeAll(async () => {
  runner = await createPythonWorkerRunner(pyModule('big_frames.py', 'BigFrameWorker'), {
    limits: LIMITS,
  })
  await runner.begin({ parameters: P, state: { name: 'w0', tags: ['generic'] } })
})

afterAll(async () => {
  await runner.close()
})

describe('large frames through shared memory', () => {
  it('reach process_event intact, batch after batch, and a view kept by user code never changes', async () => {
    const seen: unknown[] = []
    const expected: unknown[] = []
    for (const batch of [
      [1, 2],
      [3, 4],
      [5, 6],
    ]) {
      const frames = batch.map((n) => frame(n * 1000))
      const out = await runner.processEvents(
        batch.map((n, i) =>
          event(n, { big: ['raw', [(frames[i] as { bytes: Uint8Array }).bytes]] }),
        ),
        P,
      )
      for (const [i, o] of out.entries()) {
        if (o.kind !== 'result') throw new Error(o.kind)
        seen.push(decodePayload(o.payload))
        const n = batch[i] as number
        expected.push({
          sum: (frames[i] as { sum: bigint }).sum, // above 2^32: a CBOR uint64, read as a bigint
          first: n * 1000,
          // event 3 keeps a numpy view of its frame; later batches write to a new segment
          ...(n >= 3 ? { kept_first: 3000 } : {}),
        })
      }
    }
    expect(seen).toEqual(expected)
    // Segment and progress files are unlinked once the host has them open: nothing lingers on
    // /dev/shm even while the host runs (or if either process were killed).
    expect(
      readdirSync('/dev/shm').filter((n) => n.startsWith(`beamloom-py-${process.pid}-`)),
    ).toEqual([])
  })
})

describe('large frames inline (shared memory off)', () => {
  it('reach process_event intact through the pipe', async () => {
    const inline = await createPythonWorkerRunner(pyModule('big_frames.py', 'BigFrameWorker'), {
      limits: LIMITS,
      inlineMaxBytes: Number.POSITIVE_INFINITY,
    })
    try {
      await inline.begin({ parameters: P, state: { name: 'w1', tags: ['generic'] } })
      const frames = [1, 2].map((n) => frame(n * 1000))
      const out = await inline.processEvents(
        frames.map((f, i) => event(i + 1, { big: ['raw', [f.bytes]] })),
        P,
      )
      expect(out.map((o) => (o.kind === 'result' ? decodePayload(o.payload) : o.kind))).toEqual(
        frames.map((f, i) => ({ sum: f.sum, first: (i + 1) * 1000 })),
      )
    } finally {
      await inline.close()
    }
  })
})
