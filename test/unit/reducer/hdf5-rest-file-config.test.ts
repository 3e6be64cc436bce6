import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveH5Path, timestampedName } from '../../../reducer/hdf5-file/h5-file-name.js'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'

describe('HDF5 file names', () => {
  it('stay inside the directory, .h5 added when no HDF5 extension is given', () => {
    const dir = '/data/scans'
    expect(resolveH5Path(dir, 'scan-1')).toBe(join(dir, 'scan-1.h5'))
    expect(resolveH5Path(dir, 'a.b_c-D.hdf5')).toBe(join(dir, 'a.b_c-D.hdf5'))
    expect(resolveH5Path(dir, 'entry.nxs')).toBe(join(dir, 'entry.nxs'))
    expect(resolveH5Path('rel/dir', 'x')).toBe(resolve('rel/dir', 'x.h5'))
    expect(resolveH5Path(dir, '0b7e1a2c-5d3e-4f6a-9b8c-7d6e5f4a3b2c')).toBe(
      join(dir, '0b7e1a2c-5d3e-4f6a-9b8c-7d6e5f4a3b2c.h5'),
    )
  })

  it('refuse anything that could leave it', () => {
    for (const bad of [
      '..',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a\\b',
      '.hidden',
      'a..h5',
      '',
      'x'.repeat(201),
      'a b',
      'é',
    ]) {
      expect(() => resolveH5Path('/data', bad), bad).toThrow(/invalid HDF5 file name/)
    }
  })

  it('timestamped names are valid names', () => {
    const name = timestampedName('scan', new Date(Date.UTC(2026, 11, 3, 8, 15, 12, 345)))
    expect(name).toBe('scan-20261203T081512345Z')
    expect(() => resolveH5Path('/d', name)).not.toThrow()
  })
})

describe('reducer env for HDF5 files', () => {
  it('reads REDUCER_H5_DIR and REDUCER_TOKEN', () => {
    const config = parseReducerEnv({
      REDUCER_MODULE: 'm.ts:R',
      REDUCER_H5_DIR: '/data/h5',
      REDUCER_TOKEN: 't0k',
    })
    expect(config.reducer.h5Dir).toBe('/data/h5')
    expect(config.reducer.token).toBe('t0k')
    const none = parseReducerEnv({ REDUCER_MODULE: 'm.ts:R' })
    expect(none.reducer.h5Dir).toBeUndefined()
    expect(none.reducer.token).toBeUndefined()
  })

  it('rejects empty values, naming the variable', () => {
    expect(() => parseReducerEnv({ REDUCER_MODULE: 'm.ts:R', REDUCER_H5_DIR: '' })).toThrow(
      /REDUCER_H5_DIR/,
    )
    expect(() => parseReducerEnv({ REDUCER_MODULE: 'm.ts:R', REDUCER_TOKEN: '' })).toThrow(
      /REDUCER_TOKEN/,
    )
  })
})
