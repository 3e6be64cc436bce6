import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, spawnBeamloom, stopAll } from '../../harness/processes.js'
import { plainText, spawnBeamloomOnTerminal } from '../../harness/terminal.js'

const run = promisify(execFile)
const children: Child[] = []
let dir: string

/** A 100-image scan at 50 frames/s (about 2 s, so progress is seen moving), written to `out`. */
function upArgs(out: string, ...more: string[]): string[] {
  return [
    'up',
    '-w',
    `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`,
    '-r',
    `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
    '--simulate',
    'stins:xrd:frames=100,shape=8x8,rate=50',
    '--port',
    '0',
    '--reducer-port',
    '0',
    '--out',
    out,
    ...more,
  ]
}

async function finished(child: Child): Promise<string> {
  children.push(child)
  expect(await child.exited, child.output()).toBe(0)
  return child.output()
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-up-output-'))
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

const PROGRESS_LINE =
  /^scan: (\d+)\/102 events, [\d.]+ ev\/s, ETA (\?|\d+ s|\d+ min \d\d s), (\d+) failed$/

describe('beamloom up tells what it does', () => {
  it('prints progress lines with --progress when stderr is not a terminal, none without', async () => {
    const out = await finished(spawnBeamloom('up', upArgs(join(dir, 'a.json'), '--progress'), {}))
    const progress = out.split('\n').filter((l) => PROGRESS_LINE.test(l))
    expect(progress.length, out).toBeGreaterThanOrEqual(2)
    const counts = progress.map((l) => Number(PROGRESS_LINE.exec(l)?.[1]))
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    expect(progress.at(-1)).toMatch(/^scan: 102\/102 events, .* ETA 0 s, 0 failed$/)
    // Without a terminal and without --progress: none.
    const quiet = await finished(spawnBeamloom('up', upArgs(join(dir, 'b.json')), {}))
    expect(quiet).not.toMatch(/events, .* ev\/s/)
    expect(quiet).toMatch(/scan \S+ finished/)
  })

  it('draws a bar with rate and ETA on a terminal, log lines readable above it', async () => {
    const child = spawnBeamloomOnTerminal(
      'up',
      upArgs(join(dir, 'c.json'), '--log-level', 'info'),
      {},
    )
    const text = plainText(await finished(child))
    expect(text).toMatch(/scan [=-]{30} \d+\/102 events \| [\d.]+ ev\/s \| ETA \d+ s \| 0 failed/)
    expect(text).toMatch(/scan ={30} 102\/102 events \| [\d.]+ ev\/s \| ETA 0 s \| 0 failed/)
    expect(text).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(controller\): scan \S+ started: 102 events/m,
    )
    expect(text).toMatch(/^scan \S+ finished .*: 100 results reduced, 0 failed/m)
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('{'))).toEqual([])
    expect(JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')).roi.mean).toHaveLength(100)
  })

  it('never mixes raw JSON into its lines, unless asked with --log-format json', async () => {
    const pretty = await finished(
      spawnBeamloom('up', upArgs(join(dir, 'd.json'), '--log-level', 'info'), {}),
    )
    const lines = pretty.split('\n').filter((l) => l.length > 0)
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([])
    expect(
      lines.some((l) => / INFO \(reducer\): scan started/.test(l)),
      pretty,
    ).toBe(true)

    const json = await finished(
      spawnBeamloom('up', upArgs(join(dir, 'e.json'), '--log-format', 'json'), {
        LOG_LEVEL: 'info',
      }),
    )
    const records = json
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { name?: string; msg?: string })
    expect(records).toContainEqual(
      expect.objectContaining({ name: 'reducer', msg: 'scan started' }),
    )
    expect(json).toMatch(/^scan \S+ finished/m)
  })

  it('reads BEAMLOOM_LOG_LEVEL, deprecated, with a warning', async () => {
    const out = await finished(
      spawnBeamloom('up', upArgs(join(dir, 'f.json')), { BEAMLOOM_LOG_LEVEL: 'info' }),
    )
    expect(out).toMatch(/WARN: BEAMLOOM_LOG_LEVEL is deprecated: set LOG_LEVEL/)
    expect(out).toMatch(/ INFO \(reducer\): scan started/)
  })
})
