import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseH5Source } from '../../../cli/replay/h5-source.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-h5-flag-'))
  await writeFile(join(dir, 'odd:name.h5'), '')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('--from-h5 <file>[:<dataset>][:stream=…][:compression=…]', () => {
  it('splits file, dataset and options; names the stream after the file', () => {
    expect(parseH5Source('/d/scan_master.h5')).toEqual({
      file: '/d/scan_master.h5',
      dataset: undefined,
      stream: 'scan',
      compression: 'none',
    })
    expect(parseH5Source('/d/p.nxs:/entry/data/data:stream=pilatus:compression=bslz4')).toEqual({
      file: '/d/p.nxs',
      dataset: '/entry/data/data',
      stream: 'pilatus',
      compression: 'bslz4',
    })
    expect(parseH5Source('x.h5:stream=cam')).toMatchObject({ file: 'x.h5', dataset: undefined })
  })

  it('keeps a file whose name has a colon whole when it exists', () => {
    const file = join(dir, 'odd:name.h5')
    expect(parseH5Source(file)).toMatchObject({ file, dataset: undefined, stream: 'odd:name' })
    expect(parseH5Source(`${file}:/data`)).toMatchObject({ file, dataset: '/data' })
  })

  it('refuses unknown options and compressions', () => {
    expect(() => parseH5Source('x.h5:/d:rate=3')).toThrow(/unknown option 'rate'/)
    expect(() => parseH5Source('x.h5:/d:compression=zstd')).toThrow(/none or bslz4/)
    expect(() => parseH5Source(':/d')).toThrow(/expected <file>/)
  })
})
