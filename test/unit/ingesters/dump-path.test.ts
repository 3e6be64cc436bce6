import { mkdtemp, rm, stat, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planDumpTarget, prepareDumpTarget } from '../../../ingesters/base/dump-path.js'

const base = { ingesterName: 'eiger-ingester', scanId: 'scan-1', dumpPath: undefined }

describe('planDumpTarget', () => {
  it('records nothing without a prefix or a dump path', () => {
    expect(planDumpTarget({ ...base, dumpDir: '/data', prefix: undefined })).toBeUndefined()
    expect(planDumpTarget({ ...base, dumpDir: '/data', prefix: '' })).toBeUndefined()
  })

  it('names the file <prefix><ingester>-<scan>.cbors inside the dump dir, like Dranspose', () => {
    expect(planDumpTarget({ ...base, dumpDir: '/data', prefix: 'run7/dump_' })).toEqual({
      path: '/data/run7/dump_eiger-ingester-scan-1.cbors',
      append: false,
    })
    expect(planDumpTarget({ ...base, dumpDir: '/data', prefix: '/data/abs_' })?.path).toBe(
      '/data/abs_eiger-ingester-scan-1.cbors',
    )
  })

  it('appends to a fixed dump path, which wins over the prefix', () => {
    expect(
      planDumpTarget({ ...base, dumpDir: '/data', dumpPath: 'all.cbors', prefix: 'x_' }),
    ).toEqual({ path: '/data/all.cbors', append: true })
  })

  it('refuses paths outside the dump dir and recording without one', () => {
    const refuse = (prefix: string, dumpDir: string | undefined) =>
      expect(() => planDumpTarget({ ...base, dumpDir, prefix })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    refuse('../escape_', '/data')
    refuse('a/../../escape_', '/data')
    refuse('/etc/x_', '/data')
    refuse('/database_', '/data')
    refuse('x_', undefined)
  })
})

describe('prepareDumpTarget', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'beamloom-dump-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates missing directories inside the dump dir', async () => {
    await prepareDumpTarget(dir, { path: join(dir, 'a/b/x.cbors'), append: false })
    expect((await stat(join(dir, 'a/b'))).isDirectory()).toBe(true)
    // The directories only: the file is the recorder's to create.
    await expect(stat(join(dir, 'a/b/x.cbors'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses a symbolic link that leads outside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'beamloom-outside-'))
    await symlink(outside, join(dir, 'link'))
    await expect(
      prepareDumpTarget(dir, { path: join(dir, 'link/sub/x.cbors'), append: false }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    // Nothing was created through the link.
    await expect(stat(join(outside, 'sub'))).rejects.toMatchObject({ code: 'ENOENT' })
    await rm(outside, { recursive: true, force: true })
  })
})
