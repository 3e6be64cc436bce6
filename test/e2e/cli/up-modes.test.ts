import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

const run = promisify(execFile)
const children: Child[] = []
let dir: string
let analysis: string

/**
 * Analyses that depend on nothing of beamloom: the worker reports each event's number and,
 * for STINS images, the detector's own frame number read from the JSON header; the reducer
 * keeps them.
 */
const ANALYSIS = `
export class SeenWorker {
  processEvent(event: { eventNumber: number; streams: Record<string, { frames: Uint8Array[] }> }) {
    const frames: number[] = []
    for (const s of Object.values(event.streams)) {
      try {
        const head = JSON.parse(new TextDecoder().decode(s.frames[0]))
        if (head.htype === 'image') frames.push(head.frame)
      } catch {
        // Not a JSON header (another device): only the event number counts.
      }
    }
    return { event: event.eventNumber, frames }
  }
}
export class SeenReducer {
  publish = { events: [] as number[], frames: [] as number[] }
  processResult(r: { payload: { event: number; frames: number[] } }) {
    if (!this.publish.events.includes(r.payload.event)) this.publish.events.push(r.payload.event)
    this.publish.frames.push(...r.payload.frames)
  }
  finish() {
    this.publish.events.sort((a, b) => a - b)
    this.publish.frames.sort((a, b) => a - b)
  }
}
`

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-up-modes-'))
  analysis = join(dir, 'seen.ts')
  await writeFile(analysis, ANALYSIS)
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

describe('beamloom up --serve', () => {
  it('keeps the stack running and runs the trigger map posted to the controller', async () => {
    const [port, reducerPort] = [await freePort(), await freePort()]
    const child = spawnBeamloom(
      'up',
      [
        'up',
        '--serve',
        '-w',
        `${analysis}:SeenWorker`,
        '-r',
        `${analysis}:SeenReducer`,
        '--simulate',
        'stins:xrd:frames=10,shape=4x4',
        '--port',
        String(port),
        '--reducer-port',
        String(reducerPort),
      ],
      {},
    )
    children.push(child)
    const controller = `http://127.0.0.1:${port}`
    await vi.waitFor(() => expect(child.output()).toContain('serving: POST a trigger map to'), {
      timeout: 60_000,
      interval: 100,
    })
    // Nothing runs until a map is posted.
    expect(await (await fetch(`${controller}/api/v1/progress`)).json()).toMatchObject({
      status: 'idle',
    })
    const map = { xrd: range(10).map((i) => [{ constraint: i }]) }
    const posted = await fetch(`${controller}/api/v1/mapping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(map),
    })
    expect(posted.status, await posted.clone().text()).toBe(200)
    const scanId = (await posted.json()) as string
    const progress = async () =>
      (await (await fetch(`${controller}/api/v1/progress`)).json()) as { finished: boolean }
    await expect.poll(async () => (await progress()).finished).toBe(true)
    await vi.waitFor(() => expect(child.output()).toMatch(new RegExp(`scan ${scanId} finished`)), {
      timeout: 60_000,
      interval: 100,
    })
    const publish = (await (
      await fetch(`http://127.0.0.1:${reducerPort}/api/v1/result/`)
    ).json()) as { events: number[]; frames: number[] }
    // The map is wrapped (all_wrap): header and series end around the 10 images.
    expect(publish.events).toEqual(range(12))
    expect(publish.frames).toEqual(range(10))
    expect(child.output()).toContain(`scan ${scanId} started (12 events)`)
    // Still serving after the scan; Ctrl-C (SIGINT) ends it cleanly.
    expect(child.process.exitCode).toBeNull()
    child.process.kill('SIGINT')
    expect(await child.exited).toBe(0)
  })

  it('serves with no source at all (the HTTP API alone), until Ctrl-C', async () => {
    const port = await freePort()
    const child = spawnBeamloom(
      'up',
      [
        'up',
        '--serve',
        '-w',
        `${analysis}:SeenWorker`,
        '-r',
        `${analysis}:SeenReducer`,
        '--port',
        String(port),
        '--reducer-port',
        '0',
      ],
      {},
    )
    children.push(child)
    await vi.waitFor(() => expect(child.output()).toContain('serving: POST a trigger map to'), {
      timeout: 60_000,
      interval: 100,
    })
    const status = await fetch(`http://127.0.0.1:${port}/api/v1/config`)
    expect(status.status).toBe(200)
    child.process.kill('SIGINT')
    expect(await child.exited, child.output()).toBe(0)
  })
})

describe('beamloom up options', () => {
  it('sends as many Contrast points as mesh= says, and maps that many events', async () => {
    const out = join(dir, 'mesh.json')
    const child = spawnBeamloom(
      'up',
      [
        'up',
        '-w',
        `${analysis}:SeenWorker`,
        '-r',
        `${analysis}:SeenReducer`,
        '--simulate',
        'contrast:ctr:mesh=3x4,rate=0',
        '--port',
        '0',
        '--reducer-port',
        '0',
        '--out',
        out,
      ],
      {},
    )
    children.push(child)
    expect(await child.exited, child.output()).toBe(0)
    // 3 × 4 points, wrapped in the start and end events.
    expect(child.output()).toMatch(/scan \S+ started \(14 events\)/)
    expect(JSON.parse(await readFile(out, 'utf8')).events).toEqual(range(14))
  })

  it('reads a scan file whose keys are the flag names', async () => {
    const out = join(dir, 'scan-file.json')
    const file = join(dir, 'scan.yaml')
    await writeFile(
      file,
      [
        `worker: ${analysis}:SeenWorker`,
        `reducer: ${analysis}:SeenReducer`,
        'simulate:',
        '  - stins:xrd:frames=5,shape=4x4',
        'port: 0',
        'reducer-port: 0',
        'no-wrap: true',
        'log-level: warn',
        `out: ${out}`,
        '',
      ].join('\n'),
    )
    const child = spawnBeamloom('up', ['up', '--scan', file], {})
    children.push(child)
    expect(await child.exited, child.output()).toBe(0)
    // no-wrap: the 5 events of the map, without start and end events.
    expect(child.output()).toMatch(/scan \S+ started \(5 events\)/)
    expect(JSON.parse(await readFile(out, 'utf8')).events).toEqual(range(5))
  })
})
