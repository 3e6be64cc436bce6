import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { compilesAlone, readCwdTsconfig } from '../../../src/analysis/compiles-alone.js'

let dir: string
const plain = { kind: 'plain', compilerOptions: {} } as const
const none = { kind: 'none' } as const

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-alone-'))
  await mkdir(join(dir, 'esm'))
  await mkdir(join(dir, 'cjs'))
  await writeFile(join(dir, 'esm', 'package.json'), '{"type":"module"}')
  await writeFile(join(dir, 'cjs', 'package.json'), '{"name":"x"}')
  await mkdir(join(dir, 'esm', 'node_modules', 'plain-pkg'), { recursive: true })
  await writeFile(join(dir, 'esm', 'node_modules', 'plain-pkg', 'index.js'), 'exports.x = 1\n')
  await mkdir(join(dir, 'esm', 'node_modules', 'ts-pkg'), { recursive: true })
  await writeFile(
    join(dir, 'esm', 'node_modules', 'ts-pkg', 'package.json'),
    '{"name":"ts-pkg","main":"index.ts"}',
  )
  await writeFile(join(dir, 'esm', 'node_modules', 'ts-pkg', 'index.ts'), 'export const x = 1\n')
  await mkdir(join(dir, 'conf', 'deeper'), { recursive: true })
})

const opts = (tsconfig: Parameters<typeof compilesAlone>[1]['tsconfig'] = plain) => ({
  tsconfig,
  hostSpecifiers: new Set(['beamloom', 'beamloom/analysis']),
  hostSources: {
    [pathToFileURL(join(dir, 'checkout/src/analysis.js')).href]: 'file:///dist/src/analysis.js',
  },
})

describe('which TypeScript modules compile alone', () => {
  it('an ES module importing only builtins, plain packages and the host', async () => {
    const w = await file(
      'esm/w.ts',
      "import { join } from 'node:path'\nimport p from 'plain-pkg'\nimport { BeamloomError } from 'beamloom'\nimport type { X } from 'beamloom/analysis'\nexport class W {}\n",
    )
    expect(compilesAlone(w, opts())).toBe(true)
    expect(compilesAlone(w, opts(none))).toBe(true)
    expect(compilesAlone(await file('cjs/m.mts', 'export const m = 1\n'), opts())).toBe(true)
  })

  it("a module importing the host's entry source by its path, as the examples do", async () => {
    const ex = await file('esm/ex.ts', "import { parseStins } from '../checkout/src/analysis.js'\n")
    expect(compilesAlone(ex, opts())).toBe(true)
    const other = await file('esm/other.ts', "import { x } from '../checkout/src/other.js'\n")
    expect(compilesAlone(other, opts())).toBe(false)
  })

  it('not one that imports another file, a TypeScript package or one that does not resolve', async () => {
    expect(compilesAlone(await file('esm/rel.ts', "import { h } from './h.js'\n"), opts())).toBe(
      false,
    )
    expect(compilesAlone(await file('esm/tsp.ts', "import { x } from 'ts-pkg'\n"), opts())).toBe(
      false,
    )
    expect(compilesAlone(await file('esm/none.ts', "import { x } from 'no-such'\n"), opts())).toBe(
      false,
    )
    expect(compilesAlone(await file('esm/dyn.ts', "await import('plain-pkg')\n"), opts())).toBe(
      false,
    )
  })

  it('not a CommonJS one (tsx compiles .ts outside "type": "module" to CommonJS), nor .cts or .tsx', async () => {
    expect(compilesAlone(await file('cjs/c.ts', 'export const c = 1\n'), opts())).toBe(false)
    expect(compilesAlone(await file('esm/c.cts', 'export const c = 1\n'), opts())).toBe(false)
    expect(compilesAlone(await file('esm/c.tsx', 'export const c = 1\n'), opts())).toBe(false)
  })

  it('not under a tsconfig.json this does not read as tsx does', async () => {
    const w = await file('esm/plain.ts', 'export const w = 1\n')
    expect(compilesAlone(w, opts({ kind: 'other' }))).toBe(false)
  })
})

describe("the cwd's tsconfig.json", () => {
  it('is found from the cwd up and read when plain JSON without extends, paths or baseUrl', async () => {
    const conf = join(dir, 'conf')
    await writeFile(join(conf, 'tsconfig.json'), '{"compilerOptions":{"target":"ES2022"}}')
    expect(readCwdTsconfig(join(conf, 'deeper'), {})).toEqual({
      kind: 'plain',
      compilerOptions: { target: 'ES2022' },
    })
    await writeFile(join(conf, 'tsconfig.json'), '{"extends":"./base.json"}')
    expect(readCwdTsconfig(conf, {})).toEqual({ kind: 'other' })
    await writeFile(join(conf, 'tsconfig.json'), '{"compilerOptions":{"paths":{"a":["b"]}}}')
    expect(readCwdTsconfig(conf, {})).toEqual({ kind: 'other' })
    await writeFile(join(conf, 'tsconfig.json'), '{ // a comment\n}')
    expect(readCwdTsconfig(conf, {})).toEqual({ kind: 'other' })
    await writeFile(join(conf, 'tsconfig.json'), '{}')
    expect(readCwdTsconfig(conf, {})).toEqual({ kind: 'plain', compilerOptions: {} })
    // tsx reads the file TSX_TSCONFIG_PATH names instead: left to tsx.
    expect(readCwdTsconfig(conf, { TSX_TSCONFIG_PATH: 'other.json' })).toEqual({ kind: 'other' })
  })
})
