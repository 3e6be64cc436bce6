import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsServer } from '../../../src/internal.js'
import { renderChart } from '../../harness/helm-render.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'
import { FakeController } from './fake-controller.js'
import { FakeKubeApi } from './fake-kube-api.js'

interface EnvEntry {
  name: string
  value?: string
  valueFrom?: {
    fieldRef?: { fieldPath: string }
    secretKeyRef?: { name: string; key: string }
  }
}
interface Container {
  args?: string[]
  env?: EnvEntry[]
  ports?: { name: string; containerPort: number }[]
  livenessProbe?: { httpGet?: { path: string; port: string } }
  readinessProbe?: { httpGet?: { path: string; port: string } }
}
interface Workload {
  kind: string
  metadata: { name: string; namespace?: string }
  spec: { template: { spec: { containers: Container[] } } }
}

/** The first container of the rendered Deployment called `name`. */
function containerOf(objects: readonly unknown[], name: string): Container {
  const w = (objects as Workload[]).find((o) => o.kind === 'Deployment' && o.metadata.name === name)
  const c = w?.spec.template.spec.containers[0]
  if (c === undefined) throw new Error(`no Deployment/${name} rendered`)
  return c
}

/** The container's env with fieldRefs of a pod in `namespace` filled in. */
function envOf(c: Container, namespace: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = namespace
    // The controller's token, from its Secret (the fake controller takes any).
    else if (e.valueFrom?.secretKeyRef !== undefined) env[e.name] = 'token-from-the-secret'
    else throw new Error(`unexpected env source for ${e.name}`)
  }
  return env
}

describe('the chart’s autoscaler and metrics probes against running processes', () => {
  const children: Child[] = []
  const cleanups: (() => Promise<void> | void)[] = []

  afterEach(async () => {
    await stopAll(children)
    children.length = 0
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('beamloom autoscaler, configured as the chart renders it, serves its probes and scales', async () => {
    const objects = renderChart({
      release: 'nanomax',
      namespace: 'nanomax',
      valuesFiles: ['examples/nanomax.yaml'],
    })
    const container = containerOf(objects, 'nanomax-beamloom-autoscaler-worker')
    expect(container.args).toEqual(['autoscaler'])
    const env = envOf(container, 'nanomax')

    const kube = new FakeKubeApi('nanomax', env.AUTOSCALER_DEPLOYMENT ?? '', 2)
    await kube.start()
    cleanups.push(() => kube.close())
    const controller = new FakeController()
    await controller.start()
    cleanups.push(() => controller.close())
    controller.running(90_000, 2, 50)

    const dir = mkdtempSync(join(tmpdir(), 'beamloom-kube-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const kubeconfig = join(dir, 'config')
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // Plain HTTP to the fake needs the client's explicit consent.
        clusters: [
          { name: 'fake', cluster: { server: kube.url, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'autoscaler', user: {} }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'autoscaler' } }],
        'current-context': 'fake',
      }),
    )
    // The chart's env, except where a test must point elsewhere: the fake controller, a free
    // port, and a fast poll.
    const port = await freePort()
    const child = spawnBeamloom('autoscaler', ['autoscaler'], {
      ...env,
      AUTOSCALER_CONTROLLER_URL: controller.url,
      AUTOSCALER_PORT: String(port),
      AUTOSCALER_POLL_MS: '20',
      KUBECONFIG: kubeconfig,
    })
    children.push(child)

    const named = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]))
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(named.has(probe?.httpGet?.port ?? '')).toBe(true)
      const url = `http://127.0.0.1:${port}${probe?.httpGet?.path}`
      await expect
        .poll(() =>
          fetch(url).then(
            (r) => r.status,
            () => 0,
          ),
        )
        .toBe(200)
        .catch((err: unknown) => {
          throw new Error(`${url} not ready; autoscaler said:\n${child.output()}`, { cause: err })
        })
    }
    // 90 000 events at 100 events/s is 900 s against the chart's 20 s target: +4 at once.
    await expect
      .poll(() => kube.replicas)
      .toBe(6)
      .catch((err: unknown) => {
        throw new Error(`not scaled; autoscaler said:\n${child.output()}`, { cause: err })
      })
    expect(
      kube.requests.every((r) =>
        r.path.endsWith(`/deployments/${env.AUTOSCALER_DEPLOYMENT}/scale`),
      ),
    ).toBe(true)

    child.process.kill('SIGTERM')
    expect(await child.exited).toBe(0)
  })

  it('worker and ingester probes name routes of the metrics server they run', async () => {
    const objects = renderChart({
      release: 'nanomax',
      namespace: 'nanomax',
      valuesFiles: ['examples/nanomax.yaml'],
    })
    const server = createMetricsServer({
      registry: new Registry(),
      port: 0,
      host: '127.0.0.1',
      live: () => true,
      ready: () => true,
    })
    await server.start()
    cleanups.push(() => server.close())
    const containers = [
      containerOf(objects, 'nanomax-beamloom-worker'),
      containerOf(objects, 'nanomax-beamloom-ingester-eiger'),
    ]
    for (const c of containers) {
      const named = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]))
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        expect(named.get(probe?.httpGet?.port ?? '')).toBeDefined()
        const res = await fetch(`http://127.0.0.1:${server.port}${probe?.httpGet?.path}`)
        expect(res.status).toBe(200)
      }
    }
  })
})
