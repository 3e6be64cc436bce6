import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBeamloomError, openHdf5Stack } from '../../../src/internal.js'
import { expectedFrame, type StackEntry, writeHdf5Stacks } from '../../harness/hdf5-stacks.js'

let dir: string
let manifest: StackEntry[]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-hdf5-'))
  manifest = await writeHdf5Stacks(dir)
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const entry = (file: string, dataset: string): StackEntry => {
  const e = manifest.find((m) => m.file === file && m.dataset === dataset)
  if (e === undefined) throw new Error(`no ${file}:${dataset} in the manifest`)
  return e
}

/** Open an entry and compare every value of every frame with the formula. */
async function checkAll(e: StackEntry) {
  const stack = await openHdf5Stack(join(dir, e.file), e.dataset === '' ? undefined : e.dataset)
  try {
    expect(stack.frames).toBe(e.frames)
    expect(stack.frameShape).toEqual(e.shape)
    expect(stack.dtype.name).toBe(e.dtype)
    for (let f = 0; f < stack.frames; f++) {
      const got = Array.from(await stack.readFrame(f), Number)
      expect(got, `${e.file}:${e.dataset} frame ${f}`).toEqual(expectedFrame(e, f))
    }
    return { members: stack.members, dataset: stack.dataset }
  } finally {
    await stack.close()
  }
}

describe('reading HDF5 image stacks with our own chunk reader and codecs', () => {
  it('decodes bitshuffle-LZ4 chunks (filter 32008) indexed by a version-1 B-tree', async () => {
    for (const name of ['/entry/data/u16', '/entry/data/u32']) {
      const { members } = await checkAll(entry('bslz4-v1.h5', name))
      expect(members[0]).toMatchObject({ storage: 'chunked (btree-v1)', filters: [32008] })
    }
  })

  it('follows the extensible and fixed arrays of libver=latest (secondary blocks, pages, a user block)', async () => {
    const ea = await checkAll(entry('bslz4-latest.h5', '/ea'))
    expect(ea.members[0]?.storage).toBe('chunked (extensible-array)')
    const fa = await checkAll(entry('bslz4-latest.h5', '/fa'))
    expect(fa.members[0]?.storage).toBe('chunked (fixed-array)')
  })

  it('reads the paged data blocks of a large extensible array (frames picked across it)', async () => {
    const e = entry('ea-paged.h5', '/d')
    const stack = await openHdf5Stack(join(dir, e.file), e.dataset)
    try {
      expect(stack.frames).toBe(140_000)
      expect(stack.members[0]?.storage).toBe('chunked (extensible-array)')
      // Index-block elements, direct and secondary data blocks, and from 131,060 on the paged ones.
      const picks = [0, 3, 4, 20, 131_059, 131_060, 131_061, 132_083, 132_084, 139_999]
      for (let f = 0; f < 140_000; f += 997) picks.push(f)
      for (const f of picks) {
        expect(Array.from(await stack.readFrame(f), Number), `frame ${f}`).toEqual(
          expectedFrame(e, f),
        )
      }
    } finally {
      await stack.close()
    }
  })

  it('decodes LZ4 (32004), gzip with shuffle and fletcher32 (big-endian), float gzip, a single chunk, the implicit index', async () => {
    const lz4 = await checkAll(entry('filters.h5', '/lz4'))
    expect(lz4.members[0]?.filters).toEqual([32004])
    const be = await checkAll(entry('filters.h5', '/gzip_be'))
    expect(be.members[0]?.filters).toEqual([2, 1, 3])
    await checkAll(entry('filters.h5', '/float'))
    const single = await checkAll(entry('single.h5', '/one'))
    expect(single.members[0]?.storage).toBe('chunked (single)')
    const implicit = await checkAll(entry('single.h5', '/implicit'))
    expect(implicit.members[0]?.storage).toBe('chunked (implicit)')
  })

  it('walks version-2 B-tree indexes (two unlimited dimensions), internal nodes included', async () => {
    for (const name of ['/two', '/two_gzip']) {
      const { members } = await checkAll(entry('btree2.h5', name))
      expect(members[0]?.storage).toBe('chunked (btree-v2)')
    }
  })

  it('reads contiguous and compact layouts and gives unwritten chunks the fill value', async () => {
    for (const name of ['/contiguous', '/compact', '/sparse'])
      await checkAll(entry('layouts.h5', name))
  })

  it('concatenates the data files an EIGER master file links to, in their order', async () => {
    const { members } = await checkAll(entry('scan_master.h5', '/entry/data'))
    expect(members.map((m) => [m.file, m.dataset, m.frames])).toEqual([
      [join(dir, 'scan_data_000001.h5'), '/entry/data/data', 3],
      [join(dir, 'scan_data_000002.h5'), '/entry/data/data', 2],
    ])
    // The master file alone finds /entry/data.
    const stack = await openHdf5Stack(join(dir, 'scan_master.h5'))
    expect(stack.frames).toBe(5)
    await stack.close()
  })

  it("follows a NeXus file's default chain to its NXdata signal, through soft and external links", async () => {
    const { members } = await checkAll(entry('nexus.h5', ''))
    expect(members).toHaveLength(1)
    expect(members[0]?.file).toBe(join(dir, 'scan_data_000002.h5'))
  })

  it('says clearly what it cannot read', async () => {
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'opened',
        (e: unknown) => (isBeamloomError(e) ? `${e.code}: ${e.message}` : String(e)),
      )
    expect(await codeOf(openHdf5Stack(join(dir, 'other.h5'), '/names'))).toMatch(
      /^CONFIG_INVALID: .*not a numeric dataset/,
    )
    expect(await codeOf(openHdf5Stack(join(dir, 'other.h5'), '/line'))).toMatch(
      /^CONFIG_INVALID: .*1-dimensional/,
    )
    expect(await codeOf(openHdf5Stack(join(dir, 'none.h5'), '/x'))).toMatch(
      /^CONFIG_INVALID: cannot read/,
    )
    expect(await codeOf(openHdf5Stack(join(dir, 'filters.h5'), '/nothing'))).toMatch(
      /^CONFIG_INVALID: .*no object '\/nothing'/,
    )
    expect(await codeOf(openHdf5Stack(join(dir, 'scan_master.h5'), '/entry/instrument'))).toMatch(
      /^CONFIG_INVALID: .*name a dataset/,
    )
    const notHdf5 = join(dir, 'text.h5')
    await writeFile(
      notHdf5,
      'not an HDF5 file at all, just some text that is long enough to look at',
    )
    expect(await codeOf(openHdf5Stack(notHdf5, '/x'))).toMatch(/^DECODE_FAILED: .*not an HDF5 file/)
    // Chunks that do not decode fail their frame only, naming the chunk.
    const broken = await openHdf5Stack(join(dir, 'broken.h5'), '/bad')
    expect(Array.from(await broken.readFrame(0), Number)).toEqual(
      expectedFrame(
        { file: '', dataset: '', seed: 1, dtype: 'uint16', frames: 3, shape: [8, 8] },
        0,
      ),
    )
    expect(await codeOf(broken.readFrame(1))).toMatch(
      /^DECODE_FAILED: .*chunk \[1,0,0\]: bitshuffle/,
    )
    expect(await codeOf(broken.readFrame(2))).toMatch(
      /^DECODE_FAILED: .*chunk \[2,0,0\]: bitshuffle/,
    )
    await broken.close()
    // A data file cut short: refused at once, naming it; nothing reads past its end.
    await copyFile(join(dir, 'scan_data_000001.h5'), join(dir, 'cut.h5'))
    const size = (await readFile(join(dir, 'cut.h5'))).length
    await truncate(join(dir, 'cut.h5'), size - 600)
    expect(await codeOf(openHdf5Stack(join(dir, 'cut.h5'), '/entry/data/data'))).toMatch(
      /^DECODE_FAILED: .*cut\.h5: truncated/,
    )
  })
})
