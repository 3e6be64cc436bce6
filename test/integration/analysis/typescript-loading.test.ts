import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, repoPath } from '../../harness/fixtures.js'

// How the compiled host (dist/, what `bin/beamloom.js` runs) loads TypeScript analysis modules
// in an ES-module package: a file that imports no other file is compiled alone (esbuild's
// transform, no tsx); one that imports another TypeScript file loads through tsx. Run in a
// process of its own: under vitest, `import()` in the engine's source is vitest's, not Node's.
const run = promisify(execFile)
let dir: string

const ALONE_TS = `import { basename } from 'node:path'
export const url: string = import.meta.url
export class Alone {
  static describeParameters() { return [{ name: 'n', dtype: 'int', default: 3 }] }
  processEvent(): string { return basename('/a/b.txt') }
}
export class Thrower {
  processEvent(): never {
    throw new Error('thrown on line 9')
  }
}
`
const WITH_HELPER_TS = `import { twice } from './helper.js'
import { Alone } from './alone.js'
export class WithHelper {
  static Alone = Alone
  processResult(): number { return twice(2) }
}
`
// The host: the compiled engine loads the modules and reports what it saw.
const HOST_MJS = `const dir = process.argv[2]
const { loadReducerClass, loadWorkerClass } = await import(process.argv[3])
const alone = await loadWorkerClass(dir + '/alone.ts:Alone')
const thrower = await loadWorkerClass(dir + '/alone.ts:Thrower')
const withHelper = await loadReducerClass(dir + '/with-helper.ts:WithHelper')
let stack = ''
try { new thrower.cls().processEvent() } catch (err) { stack = err.stack }
const failures = []
for (const file of ['broken.ts', 'broken.mts']) {
  try { await loadWorkerClass(dir + '/' + file + ':X') } catch (err) { failures.push(err.message) }
}
console.log(JSON.stringify({
  parameters: alone.parameters,
  result: new alone.cls().processEvent(),
  url: (await import(dir + '/alone.ts?tsx-namespace=none').catch((err) => err.code)),
  stack,
  reduced: new withHelper.cls().processResult(),
  sameAlone: withHelper.cls.Alone === alone.cls,
  failures,
}))
`

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-ts-loading-'))
  await writeFile(join(dir, 'package.json'), '{"type":"module"}')
  await writeFile(join(dir, 'alone.ts'), ALONE_TS)
  await writeFile(join(dir, 'helper.ts'), 'export const twice = (n: number): number => 2 * n\n')
  await writeFile(join(dir, 'with-helper.ts'), WITH_HELPER_TS)
  await writeFile(join(dir, 'broken.ts'), 'export class X { processEvent( { }\n')
  await writeFile(join(dir, 'broken.mts'), 'export class X { processEvent( { }\n')
  await writeFile(join(dir, 'host.mjs'), HOST_MJS)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('TypeScript analysis modules in an ES-module package, compiled host', () => {
  it('load alone or through tsx, one module per file, failing as tsx did', async () => {
    const { stdout } = await run(process.execPath, [
      join(dir, 'host.mjs'),
      dir,
      repoPath('dist/src/index.js'),
    ])
    const seen = JSON.parse(stdout) as Record<string, unknown>
    expect(seen.parameters).toEqual([{ name: 'n', dtype: 'int', default: 3 }])
    expect(seen.result).toBe('b.txt')
    // Nothing but the loader compiles TypeScript: Node alone refuses the file.
    expect(seen.url).toBe('ERR_UNKNOWN_FILE_EXTENSION')
    // A failure points into the TypeScript file, at its line.
    expect(seen.stack).toContain(`${join(dir, 'alone.ts')}:9:`)
    // The reducer's import of './alone.js' (through tsx) is the worker's module (compiled alone).
    expect(seen.reduced).toBe(4)
    expect(seen.sameAlone).toBe(true)
    // tsx named a .mts file's source x.ts in its messages; so does the loader.
    const compileError = (file: string, named: string) =>
      `'${join(dir, file)}:X': failed to load: Transform failed with 1 error:\n${join(dir, named)}:2:0: ERROR: Expected ")" but found end of file`
    expect(seen.failures).toEqual([
      compileError('broken.ts', 'broken.ts'),
      compileError('broken.mts', 'broken.ts'),
    ])
  })

  it("the checkout's examples, which import src/analysis.js by path, share the host's instance", async () => {
    // A module inside the checkout that imports the engine's source entry by path gets the
    // compiled entry that runs (not a second copy compiled from src/): instanceof holds.
    const probe = repoPath('test/integration/analysis/checkout-modules/engine-by-path.ts')
    const script = `const { BeamloomError, loadWorkerClass } = await import(${JSON.stringify(repoPath('dist/src/index.js'))})
const w = await loadWorkerClass(${JSON.stringify(`${probe}:EngineByPath`)})
console.log(JSON.stringify({ host: w.cls.isHostError(new BeamloomError('CONFIG_INVALID', 'x')) }))`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script])
    expect(JSON.parse(stdout)).toEqual({ host: true })
  })

  it('replay the README example from the checkout with the compiled CLI', async () => {
    const out = join(dir, 'roi.json')
    await run(process.execPath, [
      repoPath('bin/beamloom.js'),
      'replay',
      '-w',
      repoPath('workers/examples/roi-mean.ts:RoiMeanWorker'),
      '-r',
      repoPath('reducer/examples/roi-mean.ts:RoiMeanReducer'),
      '-f',
      fixturePath('dump_xrd.cbors'),
      '-p',
      repoPath('workers/examples/roi-mean.parameters.json'),
      '--out',
      out,
      '--no-progress',
    ])
    const published = JSON.parse(await readFile(out, 'utf8')) as { roi: { mean: number[] } }
    expect(published.roi.mean).toEqual([9.25, 11.25, 11.75, 4.25, 2.25, 3, 4.75, 7.75, 10.75])
  })
})
