import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'
import { plainText, spawnBeamloomOnTerminal } from '../../harness/terminal.js'

const run = promisify(execFile)
const children: Child[] = []

beforeAll(async () => {
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await stopAll(children)
})

/** Output lines, without empty ones. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().length > 0)
}

/** Each line parsed as JSON; fails the test on a line that is not. */
function jsonRecords(text: string): Record<string, unknown>[] {
  return lines(text).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>
    } catch {
      throw new Error(`not a JSON line: ${line}`)
    }
  })
}

/** A standalone controller (in-memory control plane) on a free port; resolves once it serves. */
async function controller(args: string[], env: Record<string, string> = {}) {
  const port = await freePort()
  const child = spawnBeamloom(
    'controller',
    ['controller', '--host', '127.0.0.1', ...args.map((a) => (a === 'PORT' ? String(port) : a))],
    env,
  )
  children.push(child)
  const url = `http://127.0.0.1:${port}`
  await vi.waitFor(async () => {
    const res = await fetch(`${url}/api/v1/status`)
    expect(res.status).toBe(200)
  })
  return { child, url }
}

async function stop(child: Child): Promise<number | string> {
  await stopAll([child])
  return child.exited
}

describe('stopping a controller', () => {
  it('SIGTERM drains it and it exits 0, with a line per step', async () => {
    const { child } = await controller(['--port', 'PORT'])
    await vi.waitFor(() => expect(child.output()).toContain('controller running'))
    expect(await stop(child)).toBe(0)
    const messages = jsonRecords(child.output()).map((r) => r.msg)
    expect(messages).toEqual(
      expect.arrayContaining(['controller started', 'controller running', 'controller stopping']),
    )
    expect(messages).not.toContain('controller forced')
  })
})

describe('role logs', () => {
  it('are JSON lines off a terminal, and HTTP requests are not logged at info', async () => {
    const { child, url } = await controller(['--port', 'PORT'])
    for (let i = 0; i < 10; i++) await fetch(`${url}/api/v1/status`)
    await fetch(`${url}/api/v1/progress`)
    expect(await stop(child)).toBe(0)
    const records = jsonRecords(child.output())
    expect(records.map((r) => r.msg)).toContain('controller running')
    expect(records.every((r) => r.level !== undefined && r.level !== 20)).toBe(true)
    expect(child.output()).not.toContain('/api/v1/status')
    expect(child.output()).not.toContain('incoming request')
  })

  it('log each HTTP request at debug, one line, with --log-level debug', async () => {
    const { child, url } = await controller(['--port', 'PORT', '--log-level', 'debug'])
    await fetch(`${url}/api/v1/progress`)
    await vi.waitFor(() => expect(child.output()).toContain('/api/v1/progress'))
    expect(await stop(child)).toBe(0)
    const requests = jsonRecords(child.output()).filter((r) => r.msg === 'request')
    const progress = requests.filter((r) => r.url === '/api/v1/progress')
    expect(progress).toEqual([
      expect.objectContaining({ level: 20, method: 'GET', statusCode: 200 }),
    ])
  })

  it("read LOG_LEVEL with Python's names, and the deprecated CONTROLLER_LOG_LEVEL with a warning", async () => {
    const python = await controller(['--port', 'PORT'], { LOG_LEVEL: 'WARNING' })
    expect(await stop(python.child)).toBe(0)
    const quiet = jsonRecords(python.child.output())
    expect(quiet.map((r) => r.msg)).not.toContain('controller running')
    expect(quiet.every((r) => Number(r.level) >= 40)).toBe(true)

    const old = await controller(['--port', 'PORT'], { CONTROLLER_LOG_LEVEL: 'warn' })
    expect(await stop(old.child)).toBe(0)
    const records = jsonRecords(old.child.output())
    expect(records.map((r) => r.msg)).not.toContain('controller running')
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'CONTROLLER_LOG_LEVEL is deprecated: set LOG_LEVEL (or pass --log-level) instead',
      }),
    )
  })

  it('are human-readable lines with --log-format pretty, and on a terminal', async () => {
    const { child } = await controller(['--port', 'PORT', '--log-format', 'pretty'])
    expect(await stop(child)).toBe(0)
    expect(child.output()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(controller controller\): controller running/m,
    )
    expect(lines(child.output()).filter((l) => l.startsWith('{'))).toEqual([])

    // A reducer on a terminal: pretty by itself (auto). It ends by itself: Redis is not there.
    const closed = await freePort()
    const reducer = spawnBeamloomOnTerminal(
      'reducer',
      [
        'reducer',
        '-r',
        `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
        '--redis',
        `redis://127.0.0.1:${closed}`,
      ],
      { REDIS_CONNECT_TIMEOUT_MS: '1000' },
    )
    children.push(reducer)
    expect(await reducer.exited).toBe(1)
    const text = plainText(reducer.output())
    expect(text).toMatch(
      /\] WARN \(reducer\): control plane \(Redis at redis:\/\/127\.0\.0\.1:\d+\) not reachable yet/,
    )
    expect(lines(text).filter((l) => l.startsWith('{'))).toEqual([])
  })

  it('-p still sets the port of controller and reducer, with a deprecation warning', async () => {
    const { child } = await controller(['-p', 'PORT'])
    expect(await stop(child)).toBe(0)
    expect(jsonRecords(child.output())).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringMatching(/^-p \d+ is deprecated for the port: use --port/),
      }),
    )

    const port = await freePort()
    const reducer = spawnBeamloom(
      'reducer',
      [
        'reducer',
        '-r',
        `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
        '-p',
        String(port),
      ],
      {},
    )
    children.push(reducer)
    await vi.waitFor(async () => {
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/status`)).status).toBe(200)
    })
    expect(await stop(reducer)).toBe(0)
    expect(reducer.output()).toContain('is deprecated for the port: use --port')
  })
})
