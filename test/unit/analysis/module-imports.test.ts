import { describe, expect, it } from 'vitest'
import { isPathSpecifier, parseImportSpecifiers } from '../../../src/analysis/module-imports.js'

describe('the imports a module names', () => {
  it('finds static imports and re-exports, on one line or several', () => {
    const source = `import { a } from 'pkg-a'
import type { B } from "./types.js"
import * as c from 'node:path'
import 'side-effect'
import d, {
  e,
  f,
} from '../../src/analysis.js'
export { g } from 'pkg-g'
export * from "./all.js"
import data from './data.json' with { type: 'json' }
const notAnImport = { from: 'x' }
`
    expect(parseImportSpecifiers(source)).toEqual([
      'pkg-a',
      './types.js',
      'node:path',
      'side-effect',
      '../../src/analysis.js',
      'pkg-g',
      './all.js',
      './data.json',
    ])
  })

  it('counts imports inside comments and strings too: too many is safe', () => {
    expect(parseImportSpecifiers("// copied from './old.ts'\nconst s = \"import 'x'\"")).toEqual([
      './old.ts',
      'x',
    ])
  })

  it('gives up on dynamic imports and require, which it does not follow', () => {
    expect(parseImportSpecifiers("const m = await import('./x.js')")).toBeUndefined()
    expect(parseImportSpecifiers('const m = await import (name)')).toBeUndefined()
    expect(parseImportSpecifiers("import x = require('./x')")).toBeUndefined()
    expect(parseImportSpecifiers('const r = createRequire(import.meta.url); r (name)')).toEqual([])
    expect(parseImportSpecifiers('const u = import.meta.url')).toEqual([])
  })

  it('finds nothing in a module that imports nothing', () => {
    expect(parseImportSpecifiers('export class W { processEvent() { return 1 } }')).toEqual([])
  })
})

describe('path specifiers', () => {
  it('are relative, absolute or file: URLs; anything else names a package', () => {
    for (const s of ['./a.js', '../a.js', '..', '.', '/abs/a.js', 'file:///a.js']) {
      expect(isPathSpecifier(s), s).toBe(true)
    }
    for (const s of ['beamloom', 'beamloom/analysis', '@scope/pkg', 'node:fs', '.hidden-pkg']) {
      expect(isPathSpecifier(s), s).toBe(false)
    }
  })
})
