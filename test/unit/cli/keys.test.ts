import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { keysCommand } from '../../../cli/commands/keys.js'
import { loadCurveKeys } from '../../../src/transport/curve-keys.js'

describe('beamloom keys', () => {
  it('writes a new key file readable by its owner only, and never overwrites one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'beamloom-keys-')), 'data-plane.key')
    await keysCommand().parseAsync(['--out', file], { from: 'user' })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const keys = loadCurveKeys(file)
    expect(readFileSync(file, 'utf8')).toContain(`public-key = "${keys.publicKey}"`)
    await expect(keysCommand().parseAsync(['--out', file], { from: 'user' })).rejects.toThrow(
      /EEXIST/,
    )
    expect(loadCurveKeys(file)).toEqual(keys)
  })
})
