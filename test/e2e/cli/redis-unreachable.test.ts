import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

const run = promisify(execFile)
const children: Child[] = []
const WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

beforeAll(async () => {
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await stopAll(children)
})

describe('an unreachable Redis', () => {
  // A port nothing listens on: every connection attempt is refused.
  it.each([
    ['controller', ['controller', '--host', '127.0.0.1', '--port', '0']],
    ['reducer', ['reducer', '-r', REDUCER, '--port', '0']],
    ['worker', ['worker', '-w', WORKER]],
    ['ingester', ['ingester', 'stins', '--stream', 'xrd', '--upstream', 'tcp://127.0.0.1:9']],
    [
      'up',
      [
        'up',
        '-w',
        WORKER,
        '-r',
        REDUCER,
        '--simulate',
        'stins:xrd:frames=3',
        '--port',
        '0',
        '--reducer-port',
        '0',
      ],
    ],
  ])('is an error naming the URL after a bounded wait: %s', async (_role, args) => {
    const url = `redis://127.0.0.1:${await freePort()}`
    const child = spawnBeamloom('role', [...args, '--redis', url], {
      REDIS_CONNECT_TIMEOUT_MS: '1500',
    })
    children.push(child)
    expect(await child.exited).toBe(1)
    const out = child.output()
    // Said while waiting, then the error: both name the server.
    const waiting = out.indexOf(
      `control plane (Redis at ${url}) not reachable yet; trying for up to 1.5 s`,
    )
    const failed = out.indexOf(
      `the control plane (Redis at ${url}) was not reachable within 1500 ms`,
    )
    expect(waiting, out).toBeGreaterThanOrEqual(0)
    expect(failed, out).toBeGreaterThan(waiting)
    expect(out).not.toMatch(/\brunning\b/)
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  it('follows --log-level: at error only the error shows', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`
    const child = spawnBeamloom(
      'worker',
      ['worker', '-w', WORKER, '--redis', url, '--log-level', 'error'],
      {
        REDIS_CONNECT_TIMEOUT_MS: '1000',
      },
    )
    children.push(child)
    expect(await child.exited).toBe(1)
    expect(child.output()).not.toContain('not reachable yet')
    expect(child.output()).toContain(`(Redis at ${url}) was not reachable within 1000 ms`)
  })
})
