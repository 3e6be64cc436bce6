import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

// The controller as an operator starts it: loopback unless told otherwise, and a warning at
// start when it listens on a network address without a token (docs/security.md).

const children: Child[] = []
afterEach(async () => {
  await stopAll(children.splice(0))
})

const WAIT = { timeout: 60_000, interval: 100 }
const WARNING = /reachable from other machines, without a token/

async function controller(args: string[], env: Record<string, string> = {}) {
  const port = await freePort()
  const child = spawnBeamloom('controller', ['controller', '--port', String(port), ...args], {
    LOG_FORMAT: 'json',
    ...env,
  })
  children.push(child)
  await vi.waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/health/live`)
    expect(res.status).toBe(200)
  }, WAIT)
  return { child, port }
}

describe('where the controller listens', () => {
  it('listens on loopback by default, without a warning', async () => {
    const { child, port } = await controller([])
    await vi.waitFor(() => expect(child.output()).toContain('controller running'), WAIT)
    expect(child.output()).not.toMatch(WARNING)
    expect(child.output()).toContain(`"url":"http://127.0.0.1:${port}"`)
  })

  it('warns when it listens on every address without a token, and not with one', async () => {
    const open = await controller(['--host', '0.0.0.0'])
    await vi.waitFor(() => expect(open.child.output()).toMatch(WARNING), WAIT)
    expect(open.child.output()).toContain('set CONTROLLER_TOKEN')
    const guarded = await controller(['--host', '0.0.0.0'], { CONTROLLER_TOKEN: 't0ken' })
    await vi.waitFor(() => expect(guarded.child.output()).toContain('controller running'), WAIT)
    expect(guarded.child.output()).not.toMatch(WARNING)
    const config = await fetch(`http://127.0.0.1:${guarded.port}/api/v1/config`)
    expect(config.status).toBe(401)
  })
})
