import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  isPythonModule,
  loadReducerClass,
  loadWorkerClass,
  parseModuleSpec,
} from '../../../src/internal.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-modules-'))
  await writeFile(
    join(dir, 'worker.ts'),
    `interface Out { n: number }
export class W {
  static describeParameters() { return [{ name: 'k', dtype: 'int', default: 2 }] }
  processEvent(): Out { return { n: 1 } }
}
export class NoProcess { run() {} }
export const notAClass = 5
export default class D { processEvent() { return null } }
`,
  )
  await writeFile(join(dir, 'reducer.mjs'), 'export class R { processResult() {} }\n')
  await writeFile(join(dir, 'broken.ts'), 'export class X { processEvent( { }\n')
  await writeFile(
    join(dir, 'bad-params.ts'),
    "export class B { static describeParameters() { return [{ name: 'k', dtype: 'nope' }] } processEvent() {} }\n",
  )
})

describe('module specs', () => {
  it('splits path and export, defaulting to the default export', () => {
    expect(parseModuleSpec('a/b.ts:Name', '/x')).toEqual({
      spec: 'a/b.ts:Name',
      path: '/x/a/b.ts',
      exportName: 'Name',
    })
    expect(parseModuleSpec('a/b.ts', '/x').exportName).toBe('default')
    expect(() => parseModuleSpec('a/b.txt:W')).toThrow(/must end in \.ts/)
    const py = parseModuleSpec('a/b.py:Worker', '/x')
    expect(py).toEqual({ spec: 'a/b.py:Worker', path: '/x/a/b.py', exportName: 'Worker' })
    expect(isPythonModule(py)).toBe(true)
    expect(isPythonModule(parseModuleSpec('a/b.ts:W', '/x'))).toBe(false)
  })
})

describe('loading analysis classes', () => {
  it('loads a TypeScript worker with no build step, with its parameter descriptions', async () => {
    const w = await loadWorkerClass(`${join(dir, 'worker.ts')}:W`)
    expect(w.parameters).toEqual([{ name: 'k', dtype: 'int', default: 2 }])
    expect(w.cls.name).toBe('W')
    const instance = new w.cls({ parameters: {}, context: {}, state: { name: 'w', tags: [] } })
    expect(instance.processEvent({ eventNumber: 1, streams: {} } as never, {}, false)).toEqual({
      n: 1,
    })
  })

  it('loads a default export and a JavaScript reducer', async () => {
    expect((await loadWorkerClass(join(dir, 'worker.ts'))).cls.name).toBe('D')
    const r = await loadReducerClass(`${join(dir, 'reducer.mjs')}:R`)
    expect(r.cls.name).toBe('R')
    expect(r.parameters).toEqual([])
  })

  it('says which file is missing', async () => {
    await expect(loadWorkerClass(`${join(dir, 'nope.ts')}:W`)).rejects.toMatchObject({
      code: 'MODULE_NOT_FOUND',
      message: expect.stringContaining('no such file'),
    })
  })

  it('says which export is missing and lists the ones there are', async () => {
    await expect(loadWorkerClass(`${join(dir, 'worker.ts')}:Nope`)).rejects.toMatchObject({
      code: 'MODULE_INVALID',
      message: expect.stringMatching(/no export 'Nope' \(it exports: .*W/),
    })
  })

  it('says which method is missing, or that the export is no class', async () => {
    await expect(loadWorkerClass(`${join(dir, 'worker.ts')}:NoProcess`)).rejects.toThrow(
      "worker class 'NoProcess' has no processEvent() method",
    )
    await expect(loadWorkerClass(`${join(dir, 'worker.ts')}:notAClass`)).rejects.toThrow(
      /must be a worker class, got number/,
    )
    await expect(loadReducerClass(`${join(dir, 'worker.ts')}:W`)).rejects.toThrow(
      "reducer class 'W' has no processResult() method",
    )
  })

  it('reports a module that does not compile, and bad parameter descriptions', async () => {
    await expect(loadWorkerClass(`${join(dir, 'broken.ts')}:X`)).rejects.toMatchObject({
      code: 'MODULE_INVALID',
      message: expect.stringContaining('failed to load'),
    })
    await expect(loadWorkerClass(`${join(dir, 'bad-params.ts')}:B`)).rejects.toMatchObject({
      code: 'MODULE_INVALID',
      message: expect.stringContaining('describeParameters()'),
    })
  })
})
