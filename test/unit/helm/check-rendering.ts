import { pino } from 'pino'
import { expect } from 'vitest'
import { buildReducerApp } from '../../../reducer/reducer-app.js'
import { createReducer } from '../../../reducer/reducer-service.js'
import { createMemoryControlPlane } from '../../../src/control/memory-control-plane.js'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { createController } from '../../../src/controller/create-controller.js'
import type { RenderedObject } from '../../harness/helm-render.js'
import { validateObject } from './k8s-schema.js'
import {
  controlPlaneOf,
  ENV_NAMES_BY_ROLE,
  ingesterDevices,
  referencedOnly,
  resolveEnv,
} from './process-env.js'
import { byKind, type Container, roleOf, type Service, selects, workloads } from './rendered.js'

/** The processes' drain time on SIGTERM (the CLI forces a close after 10 s). */
const DRAIN_SECONDS = 10

/** Every beamloom container with its role, in every workload. */
function beamloomContainers(
  objects: readonly RenderedObject[],
  beamloomCommand: readonly string[],
) {
  return workloads(objects).flatMap((w) =>
    w.spec.template.spec.containers.flatMap((c) => {
      const role = roleOf(c, beamloomCommand)
      return role === undefined ? [] : [{ workload: w, container: c, role }]
    }),
  )
}

/** HTTP routes a role serves, from the real apps (fastify, not listening). */
async function routesOf(role: string): Promise<(path: string) => boolean> {
  const plane = createMemoryControlPlane({ keyPrefix: 'helm-test' })
  const logger = pino({ level: 'silent' })
  if (role === 'controller') {
    const controller = createController(
      { name: 'c', lookaheadEvents: 10, horizonEvents: 10, scanRetentionMs: 1000 },
      { plane, logger },
    )
    const app = buildControllerApp(controller)
    await app.ready()
    return (path) => app.hasRoute({ method: 'GET', url: path })
  }
  if (role === 'reducer') {
    const reducer = createReducer({ reducerModule: 'r.ts:R' }, { plane, logger })
    const app = buildReducerApp(reducer)
    await app.ready()
    return (path) => app.hasRoute({ method: 'GET', url: path })
  }
  // Workers, ingesters and the autoscaler serve the shared metrics server's routes (checked
  // against running servers in test/integration/autoscaler/chart-probes.test.ts).
  return (path) => METRICS_SERVER_ROUTES.has(path)
}

/** What `createMetricsServer` serves (workers, ingesters, autoscaler). */
const METRICS_SERVER_ROUTES = new Set(['/metrics', '/health/live', '/health/ready'])

/**
 * The checks every rendering must pass; `beamloomCommand` is how the chart starts `beamloom`.
 */
export async function checkRendering(
  objects: readonly RenderedObject[],
  beamloomCommand: readonly string[],
): Promise<void> {
  // 1. Every object is a valid Kubernetes object of a kind the chart may render.
  const problems = objects.flatMap(validateObject)
  expect(problems).toEqual([])
  const names = objects.map((o) => `${o.kind}/${o.metadata.name}`)
  expect(new Set(names).size).toBe(names.length)

  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec
    // 2. Selectors select their own pods.
    expect(selects(w.spec.selector.matchLabels, w.spec.template.metadata.labels)).toBe(true)
    // 3. Graceful termination longer than the drain.
    expect(pod.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(DRAIN_SECONDS)
    for (const c of pod.containers) {
      const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]))
      // 4. Every probe exists and names a port of its container.
      expect(c.livenessProbe, `${w.metadata.name}/${c.name} liveness`).toBeDefined()
      expect(c.readinessProbe, `${w.metadata.name}/${c.name} readiness`).toBeDefined()
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port
        expect(typeof port === 'number' || ports.has(port), `probe port ${port}`).toBe(true)
      }
    }
    // 5. Only the autoscaler's pods get a Kubernetes API token.
    const isAutoscaler = pod.containers.some((c) => roleOf(c, beamloomCommand) === 'autoscaler')
    expect(pod.automountServiceAccountToken === true).toBe(isAutoscaler)
    // 6. Scrape annotations name a port that serves /metrics.
    const annotations = w.spec.template.metadata.annotations ?? {}
    if (annotations['prometheus.io/scrape'] === 'true') {
      const port = Number(annotations['prometheus.io/port'])
      const container = pod.containers.find((c) => c.ports?.some((p) => p.containerPort === port))
      expect(container, `${w.metadata.name} scrape port ${port}`).toBeDefined()
      expect(annotations['prometheus.io/path']).toBe('/metrics')
    }
  }

  // 7. Every Service selects exactly one workload and targets a named port of it.
  for (const s of byKind<Service>(objects, 'Service')) {
    const matching = workloads(objects).filter((w) =>
      selects(s.spec.selector, w.spec.template.metadata.labels),
    )
    expect(
      matching.map((w) => w.metadata.name),
      `Service/${s.metadata.name}`,
    ).toHaveLength(1)
    const container = matching[0]?.spec.template.spec.containers[0] as Container
    for (const p of s.spec.ports) {
      expect(container.ports?.some((cp) => cp.name === p.targetPort)).toBe(true)
    }
  }

  // 8. Every HTTP surface (the `http` and `metrics` ports of beamloom pods) has a Service.
  for (const { workload, container } of beamloomContainers(objects, beamloomCommand)) {
    for (const port of container.ports ?? []) {
      if (port.name !== 'http' && port.name !== 'metrics') continue
      const served = byKind<Service>(objects, 'Service').some(
        (s) =>
          selects(s.spec.selector, workload.spec.template.metadata.labels) &&
          s.spec.ports.some((p) => p.targetPort === port.name),
      )
      expect(served, `${workload.metadata.name} port ${port.name}`).toBe(true)
    }
  }

  // 9. Env: only variables the process's config schema reads, and they parse.
  for (const { workload, container, role } of beamloomContainers(objects, beamloomCommand)) {
    const allowed = ENV_NAMES_BY_ROLE[role]
    expect(allowed, `role ${role}`).toBeDefined()
    const entries = container.env ?? []
    const helpers = referencedOnly(entries)
    const unread = entries.map((e) => e.name).filter((n) => !allowed?.has(n) && !helpers.has(n))
    expect(unread, `${workload.metadata.name}: env nobody reads`).toEqual([])
    const plane = controlPlaneOf(role, resolveEnv(entries))
    if (role === 'ingester') expect(ingesterDevices().has(container.args?.[1] ?? '')).toBe(true)
    if (role !== 'autoscaler') expect(plane?.redisUrl).toBeDefined()
  }

  // 10. HTTP probes point at routes the process really serves.
  for (const { workload, container, role } of beamloomContainers(objects, beamloomCommand)) {
    const has = await routesOf(role)
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      const path = probe?.httpGet?.path
      expect(path === undefined || has(path), `${workload.metadata.name} probe ${path}`).toBe(true)
    }
    expect(container.livenessProbe?.httpGet?.path ?? '/health/live').toBe('/health/live')
    expect(container.readinessProbe?.httpGet?.path ?? '/health/ready').toBe('/health/ready')
  }
}
