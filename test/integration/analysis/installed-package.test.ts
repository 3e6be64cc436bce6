import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, repoPath } from '../../harness/fixtures.js'

// A user's project with beamloom installed as a package (node_modules/beamloom, resolved
// through the package.json `exports` like any installed package), outside this checkout. The
// host is that installed package; the analysis modules import it by name.
const run = promisify(execFile)
let proj: string

// A TypeScript worker importing the package: it parses STINS images with the package's parser
// and checks objects the host created against the package's classes.
const WORKER_TS = `import { BeamloomError, parseStins } from 'beamloom'

interface Roi { mean: number }

export class RoiWorker {
  static isHostError(err: unknown): boolean { return err instanceof BeamloomError }
  processEvent(event: { streams: Record<string, { typ: string; frames: Uint8Array[] }> }): Roi | undefined {
    const xrd = event.streams.xrd
    if (xrd === undefined) return undefined
    const msg = parseStins(xrd)
    if (msg.kind !== 'data') return undefined
    const width = msg.shape[1] ?? 0
    let sum = 0
    for (const r of [0, 1]) for (const c of [8, 9]) sum += Number(msg.data[r * width + c])
    return { mean: sum / 4 }
  }
}
`
// The reducer imports the light entry for analysis modules: the same classes as 'beamloom'.
const REDUCER_TS = `import { BeamloomError } from 'beamloom/analysis'
export class RoiReducer {
  static isHostError(err: unknown): boolean { return err instanceof BeamloomError }
  publish: { mean: Record<string, number> } = { mean: {} }
  processResult(result: { eventNumber: number; payload: { mean: number } }): void {
    this.publish.mean[String(result.eventNumber)] = result.payload.mean
  }
}
`
// The host: the installed package loads both modules and hands them an error it created.
const HOST_MJS = `import { BeamloomError, loadReducerClass, loadWorkerClass } from 'beamloom'
const w = await loadWorkerClass(process.argv[2] + ':RoiWorker')
const r = await loadReducerClass(process.argv[2].replace('worker', 'reducer') + ':RoiReducer')
const err = new BeamloomError('CONFIG_INVALID', 'made by the host')
console.log(JSON.stringify({ worker: w.cls.isHostError(err), reducer: r.cls.isHostError(err) }))
`
// The same inside a worker thread: the thread loads the package and the module itself.
const THREAD_MJS = `import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
if (isMainThread) {
  const t = new Worker(new URL(import.meta.url), { workerData: process.argv[2] })
  t.on('message', (m) => console.log(m))
  t.on('error', (e) => { console.error(e); process.exitCode = 1 })
} else {
  const { BeamloomError, loadWorkerClass } = await import('beamloom')
  const w = await loadWorkerClass(workerData + ':RoiWorker')
  parentPort.postMessage(JSON.stringify({ thread: w.cls.isHostError(new BeamloomError('CONFIG_INVALID', 'x')) }))
}
`

beforeAll(async () => {
  proj = await mkdtemp(join(tmpdir(), 'beamloom-user-project-'))
  await mkdir(join(proj, 'node_modules'))
  await symlink(repoPath(), join(proj, 'node_modules', 'beamloom'), 'dir')
  await writeFile(join(proj, 'worker.ts'), WORKER_TS)
  await writeFile(join(proj, 'reducer.ts'), REDUCER_TS)
  // The same modules in an ES-module package: each compiles alone, without tsx.
  await mkdir(join(proj, 'esm'))
  await writeFile(join(proj, 'esm', 'package.json'), '{"type":"module"}')
  await writeFile(join(proj, 'esm', 'worker.ts'), WORKER_TS)
  await writeFile(join(proj, 'esm', 'reducer.ts'), REDUCER_TS)
  await writeFile(join(proj, 'host.mjs'), HOST_MJS)
  await writeFile(join(proj, 'thread.mjs'), THREAD_MJS)
})

afterAll(async () => {
  await rm(proj, { recursive: true, force: true })
})

// tsx compiles `.ts` outside a `"type": "module"` package to CommonJS; inside one, a module that
// imports no other file is compiled alone (src/analysis/compiles-alone.ts).
describe.each([
  ['a folder of .ts files (through tsx)', '.'],
  ['an ES-module package (compiled alone)', 'esm'],
])('TypeScript modules importing the installed beamloom package, in %s', (_, sub) => {
  it('share the host instance of the package (instanceof holds)', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(proj, 'host.mjs'), join(proj, sub, 'worker.ts')],
      {
        cwd: proj,
      },
    )
    expect(JSON.parse(stdout)).toEqual({ worker: true, reducer: true })
  })

  it('load in a worker thread that loads the package itself', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(proj, 'thread.mjs'), join(proj, sub, 'worker.ts')],
      {
        cwd: proj,
      },
    )
    expect(JSON.parse(stdout)).toEqual({ thread: true })
  })

  it('run under the installed `beamloom replay`', async () => {
    const out = join(proj, sub, 'roi.json')
    await run(
      process.execPath,
      [
        join(proj, 'node_modules/beamloom/bin/beamloom.js'),
        'replay',
        '-w',
        join(sub, 'worker.ts:RoiWorker'),
        '-r',
        join(sub, 'reducer.ts:RoiReducer'),
        '-f',
        fixturePath('dump_xrd.cbors'),
        '--out',
        out,
        '--no-progress',
      ],
      { cwd: proj },
    )
    const published = JSON.parse(await readFile(out, 'utf8')) as { mean: Record<string, number> }
    // dump_xrd: rows 0-1, columns 8-9 of the nine images (see the fixtures README and
    // test/e2e/replay-roi-mean.test.ts, which reads them with the recording reader).
    const byEvent = Object.entries(published.mean).sort(([a], [b]) => Number(a) - Number(b))
    expect(byEvent.map(([, mean]) => mean)).toEqual([
      9.25, 11.25, 11.75, 4.25, 2.25, 3, 4.75, 7.75, 10.75,
    ])
  })
})
