import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { parseAutoscalerEnv } from '../../../autoscaler/index.js'
import { parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'
import { DATA_PATH_ENV } from '../../../src/config/data-path-flags.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'
import { CHART_DIR, type RenderedObject, renderChart } from '../../harness/helm-render.js'
import { checkRendering } from './check-rendering.js'
import { controlPlaneOf, POD, resolveEnv } from './process-env.js'
import {
  byKind,
  type Container,
  find,
  nodeFlagsOf,
  roleOf,
  type Service,
  type Workload,
  workloads,
} from './rendered.js'

const defaults = yamlOf('values.yaml')
const nanomax = yamlOf('examples/nanomax.yaml')
const COMMAND: string[] = defaults.command

// biome-ignore lint/suspicious/noExplicitAny: values files are free-form YAML read for expectations.
function yamlOf(file: string): any {
  return parseYaml(readFileSync(join(CHART_DIR, file), 'utf8'))
}

function envOf(w: Workload): Record<string, string> {
  const c = w.spec.template.spec.containers[0] as Container
  return resolveEnv(c.env ?? [])
}

describe('helm chart, default values', () => {
  const objects = renderChart({ release: 'bl', namespace: 'beamline' })

  it('renders controller, reducer, one worker pool and Redis, and nothing optional', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'Deployment/bl-beamloom-controller',
        'Deployment/bl-beamloom-reducer',
        'Deployment/bl-beamloom-worker',
        'Service/bl-beamloom-worker-metrics',
        'Secret/bl-beamloom-data-plane',
        'Secret/bl-beamloom-tokens',
        'Service/bl-beamloom-controller',
        'Service/bl-beamloom-redis',
        'Service/bl-beamloom-reducer',
        'StatefulSet/bl-beamloom-redis',
      ].sort(),
    )
  })

  it('passes the Kubernetes, env, probe and service checks', async () => {
    await checkRendering(objects, COMMAND)
  })

  it('gives its Redis an append-only file fsynced on every write, on a volume', () => {
    const redis = find<Workload>(objects, 'StatefulSet', 'bl-beamloom-redis')
    const args = redis.spec.template.spec.containers[0]?.args ?? []
    const value = (flag: string) => args[args.indexOf(flag) + 1]
    expect(value('--appendonly')).toBe('yes')
    expect(value('--appendfsync')).toBe('always')
    expect(value('--dir')).toBe('/data')
  })

  it('wires every process to the bundled Redis with the key prefix', () => {
    for (const w of workloads(objects).filter((x) => x.kind === 'Deployment')) {
      const role = roleOf(w.spec.template.spec.containers[0] as Container, COMMAND)
      const plane = controlPlaneOf(role ?? '', envOf(w))
      expect(plane?.redisUrl).toBe('redis://bl-beamloom-redis:6379/0')
      expect(plane?.keyPrefix).toBe(defaults.keyPrefix)
    }
    const worker = parseWorkerEnv(
      envOf(find<Workload>(objects, 'Deployment', 'bl-beamloom-worker')),
    )
    expect(worker.worker.tags).toEqual(defaults.workers.tags)
    expect(worker.worker.workerModule).toBe(defaults.workers.module)
    expect(worker.worker.name).toBe(POD.name)
    expect(worker.worker.metricsPort).toBe(defaults.workers.metricsPort)
    const reducer = parseReducerEnv(
      envOf(find<Workload>(objects, 'Deployment', 'bl-beamloom-reducer')),
    )
    expect(reducer.reducer.bind).toBe(`tcp://0.0.0.0:${defaults.reducer.resultsPort}`)
    expect(reducer.reducer.advertiseHost).toBe(POD.ip)
    expect(reducer.reducer.httpPort).toBe(defaults.reducer.port)
    expect(reducer.reducer.corsOrigins).toEqual([])
  })
})

describe('helm chart, full example (helm/examples/nanomax.yaml)', () => {
  const objects = renderChart({
    release: 'nanomax',
    namespace: 'nanomax',
    valuesFiles: ['examples/nanomax.yaml'],
  })

  it('renders every component: ingesters, two worker pools, autoscaler with RBAC, Ingress', () => {
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`))
    for (const ing of nanomax.ingesters) {
      expect(names).toContain(`Deployment/nanomax-beamloom-ingester-${ing.name}`)
    }
    for (const n of [
      'Deployment/nanomax-beamloom-controller',
      'Deployment/nanomax-beamloom-reducer',
      'Deployment/nanomax-beamloom-worker',
      'Deployment/nanomax-beamloom-worker-gpu',
      'Deployment/nanomax-beamloom-autoscaler-worker',
      'StatefulSet/nanomax-beamloom-redis',
      'ServiceAccount/nanomax-beamloom-autoscaler',
      'Role/nanomax-beamloom-autoscaler',
      'RoleBinding/nanomax-beamloom-autoscaler',
      'Ingress/nanomax-beamloom',
    ]) {
      expect(names).toContain(n)
    }
  })

  it('passes the Kubernetes, env, probe and service checks', async () => {
    await checkRendering(objects, COMMAND)
  })

  it('starts node with the data-path flags for workers and ingesters only', () => {
    const flagsByRole = new Map<string, Set<string>>()
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers) {
        const role = roleOf(c, COMMAND)
        if (role === undefined) continue
        const seen = flagsByRole.get(role) ?? new Set<string>()
        seen.add(JSON.stringify(c.command))
        flagsByRole.set(role, seen)
        const [node, ...rest] = COMMAND
        const flagged = [node, ...defaults.dataPathNodeFlags, ...rest]
        const bulk = role === 'worker' || role === 'ingester'
        expect(c.command, `${w.metadata.name}/${c.name}`).toEqual(bulk ? flagged : COMMAND)
      }
    }
    expect(defaults.dataPathNodeFlags).toContain('--single-threaded-gc')
    expect([...flagsByRole.keys()].sort()).toEqual(
      ['autoscaler', 'controller', 'ingester', 'reducer', 'worker'].sort(),
    )
  })

  it('dataPathNodeFlags: [] starts every role with `command` alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamloom-helm-'))
    const noFlags = join(dir, 'no-flags.yaml')
    writeFileSync(noFlags, 'dataPathNodeFlags: []\n')
    const plain = renderChart({
      release: 'nanomax',
      valuesFiles: ['examples/nanomax.yaml', noFlags],
    })
    rmSync(dir, { recursive: true })
    const commands = workloads(plain).flatMap((w) =>
      w.spec.template.spec.containers.filter((c) => roleOf(c, COMMAND) !== undefined),
    )
    expect(commands.length).toBeGreaterThan(5)
    for (const c of commands) expect(nodeFlagsOf(c)).toEqual([])
  })

  it("gives workers and ingesters glibc's allocator settings (dataPathEnv), and no other role", () => {
    expect(defaults.dataPathEnv).toEqual(DATA_PATH_ENV)
    const byRole = new Map<string, Record<string, string>[]>()
    for (const w of workloads(objects)) {
      for (const c of w.spec.template.spec.containers) {
        const role = roleOf(c, COMMAND)
        if (role === undefined) continue
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']))
        const malloc = Object.fromEntries(
          Object.entries(env).filter(([name]) => name.startsWith('MALLOC_')),
        )
        byRole.set(role, [...(byRole.get(role) ?? []), malloc])
      }
    }
    for (const [role, found] of byRole) {
      const bulk = role === 'worker' || role === 'ingester'
      for (const malloc of found) expect(malloc, role).toEqual(bulk ? DATA_PATH_ENV : {})
    }
    expect(byRole.get('worker')?.length).toBeGreaterThan(1)
    expect(byRole.get('ingester')?.length).toBeGreaterThan(0)
    // `dataPathEnv: null` turns them off (an empty map would be merged with the defaults).
    const dir = mkdtempSync(join(tmpdir(), 'beamloom-helm-'))
    const noEnv = join(dir, 'no-env.yaml')
    writeFileSync(noEnv, 'dataPathEnv: null\n')
    const none = renderChart({ release: 'nanomax', valuesFiles: ['examples/nanomax.yaml', noEnv] })
    rmSync(dir, { recursive: true })
    expect(workloads(none).length).toBeGreaterThan(5)
    expect(JSON.stringify(none).match(/MALLOC_/g) ?? []).toEqual([])
  })

  it('lets the origins of reducer.corsOrigins read the reducer (a served h5web)', () => {
    const reducer = parseReducerEnv(
      envOf(find<Workload>(objects, 'Deployment', 'nanomax-beamloom-reducer')),
    )
    expect(reducer.reducer.corsOrigins).toEqual(nanomax.reducer.corsOrigins)
    expect(reducer.reducer.corsOrigins).toHaveLength(1)
  })

  it('gives each ingester its device, upstream, data port, host network and placement', () => {
    for (const ing of nanomax.ingesters) {
      const w = find<Workload>(objects, 'Deployment', `nanomax-beamloom-ingester-${ing.name}`)
      const pod = w.spec.template.spec
      const c = pod.containers[0] as Container
      expect(c.args).toEqual(['ingester', ing.device])
      const { config, upstreamUrl } = parseIngesterEnv(envOf(w))
      expect(upstreamUrl).toBe(ing.upstream)
      expect(config.streams).toEqual(ing.streams)
      expect(config.bind).toBe(`tcp://0.0.0.0:${ing.dataPort}`)
      expect(config.advertiseHost).toBe(POD.ip)
      const metricsPort = ing.metricsPort ?? ing.dataPort + 1000
      expect(c.ports).toEqual([
        { name: 'data', containerPort: ing.dataPort, protocol: 'TCP' },
        { name: 'metrics', containerPort: metricsPort, protocol: 'TCP' },
      ])
      expect(config.metricsPort).toBe(metricsPort)
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'metrics' })
      expect(w.spec.template.metadata.annotations?.['prometheus.io/port']).toBe(String(metricsPort))
      expect(pod.hostNetwork).toBe(ing.hostNetwork)
      expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet')
      expect(pod.nodeSelector).toEqual(ing.nodeSelector)
      if (ing.bufferBytes) expect(config.bufferBytes).toBe(ing.bufferBytes)
      if (ing.helloTimeoutMs) expect(config.helloTimeoutMs).toBe(ing.helloTimeoutMs)
      expect(config.deviceReceive).toBe(ing.deviceReceive ?? 'zmtp')
      expect(config.frameSlabBytes).toBe(ing.frameSlabBytes ?? 16 * 1024 * 1024)
    }
    // The example sets both somewhere, so the lines above compare rendered values.
    const ingesters: { deviceReceive?: string; frameSlabBytes?: number }[] = nanomax.ingesters
    expect(ingesters.some((i) => i.deviceReceive === 'zeromq')).toBe(true)
    expect(ingesters.some((i) => i.frameSlabBytes !== undefined)).toBe(true)
  })

  it('runs the GPU pool with its tags, resources and placement, the rest from workers', () => {
    const gpu = find<Workload>(objects, 'Deployment', 'nanomax-beamloom-worker-gpu')
    const spec = nanomax.extraWorkerPools[0]
    const cfg = parseWorkerEnv(envOf(gpu)).worker
    expect(cfg.tags).toEqual(spec.tags)
    expect(cfg.workerModule).toBe(spec.module)
    expect(cfg.windowEvents).toBe(nanomax.workers.windowEvents)
    const pod = gpu.spec.template.spec
    expect(gpu.spec.replicas).toBe(spec.replicas)
    expect(pod.nodeSelector).toEqual(spec.nodeSelector)
    expect(pod.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe(1)
    expect(pod.containers[0]?.image).toBe('registry.example.org/nanomax/analysis:2026.3')
  })

  it('lets the autoscaler own the main pool: no replicas in the Deployment, bounds in its env', () => {
    const worker = find<Workload>(objects, 'Deployment', 'nanomax-beamloom-worker')
    expect(worker.spec.replicas).toBeUndefined()
    const scaler = find<Workload>(objects, 'Deployment', 'nanomax-beamloom-autoscaler-worker')
    const cfg = parseAutoscalerEnv(envOf(scaler))
    expect(cfg.deployment).toBe('nanomax-beamloom-worker')
    expect(cfg.namespace).toBe(POD.namespace)
    expect(cfg.policy.minReplicas).toBe(nanomax.workers.autoscale.minReplicas)
    expect(cfg.policy.maxReplicas).toBe(nanomax.workers.autoscale.maxReplicas)
    expect(cfg.policy.coolDownMs).toBe(nanomax.autoscaler.coolDownMs)
    expect(cfg.controllerUrl).toBe('http://nanomax-beamloom-controller.nanomax.svc:5000')
    const controller = find<Service>(objects, 'Service', 'nanomax-beamloom-controller')
    expect(controller.spec.ports[0]?.port).toBe(5000)
    expect(scaler.spec.template.spec.serviceAccountName).toBe('nanomax-beamloom-autoscaler')
  })

  it('grants the autoscaler exactly get and update of the autoscaled Deployments’ scale', () => {
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
    expect(roles.map((r) => r.metadata.name)).toEqual(['nanomax-beamloom-autoscaler'])
    expect(roles[0]?.rules).toEqual([
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        resourceNames: ['nanomax-beamloom-worker'],
        verbs: ['get', 'update'],
      },
    ])
    const bindings = objects.filter((o) => o.kind.endsWith('RoleBinding'))
    expect(bindings).toHaveLength(1)
    expect(bindings[0]?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'nanomax-beamloom-autoscaler',
    })
    expect(bindings[0]?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'nanomax-beamloom-autoscaler', namespace: 'nanomax' },
    ])
    // Nobody else runs under that account.
    const users = workloads(objects).filter((w) => w.spec.template.spec.serviceAccountName)
    expect(users.map((w) => w.metadata.name)).toEqual(['nanomax-beamloom-autoscaler-worker'])
  })

  it('composes REDIS_URL with the password from the Secret', () => {
    const env = envOf(find<Workload>(objects, 'Deployment', 'nanomax-beamloom-controller'))
    expect(env.REDIS_URL).toBe(`redis://:${POD.secret}@nanomax-beamloom-redis:6379/0`)
    const redis = find<Workload>(objects, 'StatefulSet', 'nanomax-beamloom-redis')
    const args = redis.spec.template.spec.containers[0]?.args ?? []
    expect(args.slice(args.indexOf('--requirepass'))).toEqual([
      '--requirepass',
      '$(REDIS_PASSWORD)',
    ])
  })

  it('routes the Ingress hosts to the controller and reducer Services', () => {
    const ingress = find(objects, 'Ingress', 'nanomax-beamloom') as RenderedObject & {
      spec: {
        rules: {
          host: string
          http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] }
        }[]
      }
    }
    const routes = ingress.spec.rules.map((r) => [r.host, r.http.paths[0]?.backend.service.name])
    expect(routes).toEqual([
      [nanomax.ingress.controllerHost, 'nanomax-beamloom-controller'],
      [nanomax.ingress.reducerHost, 'nanomax-beamloom-reducer'],
    ])
    for (const r of ingress.spec.rules) {
      const svc = find<Service>(objects, 'Service', r.http.paths[0]?.backend.service.name ?? '')
      expect(svc.spec.ports.map((p) => p.name)).toContain(
        r.http.paths[0]?.backend.service.port.name,
      )
    }
  })
})

describe('helm chart, external Redis (helm/examples/balder.yaml)', () => {
  const objects = renderChart({ release: 'balder', valuesFiles: ['examples/balder.yaml'] })

  it('passes the checks and runs no Redis of its own', async () => {
    await checkRendering(objects, COMMAND)
    expect(byKind(objects, 'StatefulSet')).toEqual([])
  })

  it('keeps the password in a Secret and composes a rediss:// URL with the database', () => {
    const secret = find(objects, 'Secret', 'balder-beamloom-redis-auth') as RenderedObject & {
      stringData: Record<string, string>
    }
    expect(secret.stringData['redis-password']).toBe('s3cr3t-but-prefer-existingSecret')
    const w = find<Workload>(objects, 'Deployment', 'balder-beamloom-worker')
    const ref = (w.spec.template.spec.containers[0]?.env ?? []).find(
      (e) => e.name === 'REDIS_PASSWORD',
    )
    expect(ref?.valueFrom?.secretKeyRef).toEqual({
      name: secret.metadata.name,
      key: 'redis-password',
    })
    expect(envOf(w).REDIS_URL).toBe(`rediss://:${POD.secret}@redis.services.example.org:6380/3`)
    expect(parseWorkerEnv(envOf(w)).worker.tags).toEqual(['generic', 'cpu'])
  })
})
