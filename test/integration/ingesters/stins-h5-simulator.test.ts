import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Pull } from 'zeromq'
import { stinsDevice } from '../../../ingesters/stins/stins-device.js'
import {
  createStinsSimulator,
  type StinsSimulator,
} from '../../../ingesters/stins/stins-simulator.js'
import { parseStinsFrames, type StinsMessage } from '../../../src/internal.js'
import { expectedFrame, type StackEntry, writeHdf5Stacks } from '../../harness/hdf5-stacks.js'

let dir: string
let manifest: StackEntry[]
let sim: StinsSimulator | undefined
let pull: Pull | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-stins-h5-'))
  manifest = await writeHdf5Stacks(dir)
}, 120_000)
afterEach(async () => {
  pull?.close()
  pull = undefined
  await sim?.close({ force: true })
  sim = undefined
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const master = () => {
  const e = manifest.find((m) => m.file === 'scan_master.h5')
  if (e === undefined) throw new Error('no scan_master.h5')
  return e
}

/** The second part of each message received (an image's blob). */
let blobs: (Buffer | undefined)[] = []

/** Start `simulator` and receive `count` messages from it, parsed. */
async function receive(simulator: StinsSimulator, count: number): Promise<StinsMessage[]> {
  sim = simulator
  await simulator.start()
  pull = new Pull()
  pull.connect(simulator.endpoint)
  const out: StinsMessage[] = []
  blobs = []
  while (out.length < count) {
    const parts = await pull.receive()
    blobs.push(parts[1])
    out.push(parseStinsFrames(parts))
  }
  return out
}

function values(m: StinsMessage | undefined): number[] {
  if (m?.kind !== 'data') throw new Error(`expected an image, got ${m?.kind}`)
  return Array.from(m.data as ArrayLike<number>, Number)
}

describe('simulate stins --h5: an HDF5 stack as a live detector', () => {
  it('sends the header, every frame of an EIGER master file (bitshuffle-LZ4 on the wire) and the end', async () => {
    const e = master()
    const file = join(dir, e.file)
    const got = await receive(
      createStinsSimulator({
        bind: 'tcp://127.0.0.1:*',
        frames: 0,
        shape: [1, 1],
        dtype: 'uint8',
        rateHz: 0,
        compression: 'bslz4',
        h5: { file },
      }),
      e.frames + 2,
    )
    expect(got[0]).toMatchObject({ kind: 'start', msgNumber: 0, filename: file })
    for (let f = 0; f < e.frames; f++) {
      const m = got[f + 1]
      expect(m).toMatchObject({
        kind: 'data',
        msgNumber: f + 1,
        frame: f,
        shape: e.shape,
        compression: 'bslz4',
      })
      expect(values(m), `frame ${f}`).toEqual(expectedFrame(e, f))
    }
    expect(got[e.frames + 1]).toMatchObject({ kind: 'end', msgNumber: e.frames + 1 })
    // The EIGER chunks go out as the files store them (not decoded and encoded again).
    for (let f = 0; f < e.frames; f++) {
      const stored = await readFile(join(dir, `scan_chunk_${f}.bin`))
      expect(Buffer.compare(blobs[f + 1] ?? Buffer.alloc(0), stored), `frame ${f}`).toBe(0)
    }
  })

  it('cycles the stack for more frames, and loops whole series (through the device registry, as `up` does)', async () => {
    const e = master()
    const simulator = stinsDevice.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 7,
      rateHz: 0,
      options: { h5: `${join(dir, e.file)}:/entry/data`, loop: 'true' },
    })
    const got = await receive(simulator as StinsSimulator, 2 * (7 + 2))
    for (const series of [0, 1]) {
      const at = series * 9
      expect(got[at]?.kind).toBe('start')
      for (let k = 0; k < 7; k++) {
        expect(got[at + k + 1]).toMatchObject({ frame: k, msgNumber: k + 1, compression: 'none' })
        expect(values(got[at + k + 1])).toEqual(expectedFrame(e, k % e.frames))
      }
      expect(got[at + 8]).toMatchObject({ kind: 'end', msgNumber: 8 })
    }
  })

  it('closes with the reason when the stack cannot be read', async () => {
    sim = createStinsSimulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 0,
      shape: [1, 1],
      dtype: 'uint8',
      rateHz: 0,
      compression: 'none',
      h5: { file: join(dir, 'other.h5'), dataset: '/names' },
    })
    await sim.start()
    pull = new Pull()
    pull.connect(sim.endpoint)
    const err = await sim.closed
    expect(err?.message).toMatch(/not a numeric dataset/)
  })
})
