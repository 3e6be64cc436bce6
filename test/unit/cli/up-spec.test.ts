import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  parseIngesterFlag,
  parseSimulateFlag,
  parseUpSpec,
  readScanFile,
} from '../../../cli/up/up-spec.js'

describe('beamloom up options', () => {
  it('reads --simulate with its options and defaults', () => {
    expect(parseSimulateFlag('stins:eiger')).toMatchObject({
      device: 'stins',
      stream: 'eiger',
      frames: 100,
      shape: [64, 64],
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
    })
    expect(
      parseSimulateFlag('stins:cam:frames=5,shape=10x20,dtype=uint32,rate=50,bslz4'),
    ).toMatchObject({
      stream: 'cam',
      frames: 5,
      shape: [10, 20],
      dtype: 'uint32',
      rateHz: 50,
      compression: 'bslz4',
    })
  })

  it('names what is wrong in a flag', () => {
    expect(() => parseSimulateFlag('eiger')).toThrow(
      "--simulate 'eiger': expected <device>:<stream>",
    )
    expect(() => parseSimulateFlag('stins:cam:colour=red')).toThrow("unknown option 'colour'")
    expect(() => parseSimulateFlag('stins:cam:frames=-1')).toThrow(/frames/)
    expect(() => parseSimulateFlag('pilatus:cam')).toThrow(/device/)
    expect(() => parseIngesterFlag('stins:cam')).toThrow('expected <device>:<stream>=<url>')
    expect(parseIngesterFlag('stins:cam=tcp://det:9999')).toEqual({
      device: 'stins',
      stream: 'cam',
      url: 'tcp://det:9999',
    })
  })

  it('reads a YAML scan file strictly and needs a source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-up-spec-'))
    const file = join(dir, 'scan.yaml')
    await writeFile(file, 'worker: w.ts:W\nreducer: r.ts:R\nworkers: 3\nframes: 10\n')
    const raw = await readScanFile(file)
    expect(() => parseUpSpec(raw, file)).toThrow(
      'give at least one --simulate or --ingester source',
    )
    const spec = parseUpSpec({ ...raw, simulate: [parseSimulateFlag('stins:cam')] }, file)
    expect(spec).toMatchObject({ workers: 3, frames: 10, port: 5000, allWrap: true })
    await writeFile(file, 'worker: w.ts:W\nreducer: r.ts:R\nwrokers: 3\n')
    const typo = await readScanFile(file)
    expect(() =>
      parseUpSpec({ ...typo, simulate: [parseSimulateFlag('stins:cam')] }, file),
    ).toThrow(/wrokers/)
    await expect(readScanFile(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read scan file/)
  })
})
