import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  parseIngesterFlag,
  parseSimulateFlag,
  parseUpSpec,
  readScanFile,
  scanFileKeys,
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

  it('names each problem of the spec by its path, the whole value as (value)', () => {
    expect(() => parseUpSpec(7, 'up')).toThrow(
      'up: (value): Invalid input: expected object, received number',
    )
    expect(() =>
      parseUpSpec({ worker: 'w', reducer: 'r', wrokers: 2, port: 'x' }, 'f.yaml'),
    ).toThrow(
      'f.yaml: port: Invalid input: expected number, received string; (value): Unrecognized key: "wrokers"',
    )
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

describe('scan files with the flag names as keys', () => {
  it('reads the flag names and the older camelCase keys to the same spec', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-up-keys-'))
    const flags = join(dir, 'flags.yaml')
    await writeFile(
      flags,
      [
        'worker: w.ts:W',
        'reducer: r.ts:R',
        'simulate: [stins:cam:frames=5]',
        'reducer-port: 0',
        'prefix: bl-test',
        'no-wrap: true',
        'log-level: info',
        'log-format: json',
        'progress: false',
        '',
      ].join('\n'),
    )
    const old = join(dir, 'old.yaml')
    await writeFile(
      old,
      'worker: w.ts:W\nreducer: r.ts:R\nreducerPort: 0\nkeyPrefix: bl-test\nallWrap: false\nlogLevel: info\nlogFormat: json\nprogress: false\n',
    )
    const read = async (file: string) => {
      const raw = scanFileKeys(await readScanFile(file), file)
      const simulate = (Array.isArray(raw.simulate) ? raw.simulate : []).map((s) =>
        parseSimulateFlag(String(s)),
      )
      return parseUpSpec(
        {
          ...raw,
          simulate: simulate.length > 0 ? simulate : [parseSimulateFlag('stins:cam:frames=5')],
        },
        file,
      )
    }
    const a = await read(flags)
    expect(a).toMatchObject({
      reducerPort: 0,
      keyPrefix: 'bl-test',
      allWrap: false,
      logLevel: 'info',
      logFormat: 'json',
      progress: false,
    })
    expect(await read(old)).toEqual(a)
    expect(scanFileKeys({ wrap: false }, 'f').allWrap).toBe(false)
    expect(() => scanFileKeys({ 'reducer-port': 1, reducerPort: 2 }, 'f.yaml')).toThrow(
      "f.yaml: 'reducer-port' and 'reducerPort' set the same thing",
    )
  })

  it('--serve starts no scan: no map, frames or out with it; sources optional', () => {
    const base = { worker: 'w.ts:W', reducer: 'r.ts:R', serve: true }
    expect(parseUpSpec(base, 'up').serve).toBe(true)
    expect(() => parseUpSpec({ ...base, frames: 10, out: 'x.json' }, 'up')).toThrow(
      '--serve starts no scan: --frames, --out cannot go with it',
    )
  })
})

describe('frames implied by simulator options', () => {
  it("takes a Contrast mesh's points as the frame count", () => {
    expect(parseSimulateFlag('contrast:ctr:mesh=40x75').frames).toBe(3000)
    expect(parseSimulateFlag('contrast:ctr:mesh=40x75,frames=7').frames).toBe(7)
    expect(parseSimulateFlag('contrast:ctr').frames).toBe(100)
    expect(parseSimulateFlag('stins:cam').frames).toBe(100)
    expect(() => parseSimulateFlag('contrast:ctr:mesh=40')).toThrow(/mesh '40'/)
  })
})
