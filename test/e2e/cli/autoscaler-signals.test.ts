import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { repoPath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

// The autoscaler as `runRole` runs it: no control plane, signals as for every role. A
// kubeconfig naming a cluster nobody serves is enough: it scales nothing while the controller
// it polls does not answer.
const run = promisify(execFile)
const children: Child[] = []
let dir: string

beforeAll(async () => {
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
  dir = await mkdtemp(join(tmpdir(), 'beamloom-autoscaler-'))
  await writeFile(
    join(dir, 'kubeconfig'),
    `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:9" } }]
contexts: [{ name: none, context: { cluster: none, user: none, namespace: beamline } }]
current-context: none
users: [{ name: none, user: { token: t } }]
`,
  )
}, 180_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

describe('stopping an autoscaler', () => {
  it('SIGTERM ends it with exit 0, after its running line', async () => {
    const controller = `http://127.0.0.1:${await freePort()}`
    const child = spawnBeamloom(
      'autoscaler',
      ['autoscaler', '--controller', controller, '--deployment', 'workers', '--port', '0'],
      { KUBECONFIG: join(dir, 'kubeconfig'), LOG_FORMAT: 'json' },
    )
    children.push(child)
    await vi.waitFor(() => expect(child.output()).toContain('"msg":"autoscaler running"'), {
      timeout: 20_000,
    })
    await stopAll([child])
    expect(await child.exited, child.output()).toBe(0)
    expect(child.output()).toContain('"msg":"autoscaler stopping"')
    expect(child.output()).toContain('"namespace":"beamline"')
  })
})
