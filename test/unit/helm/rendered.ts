import type { RenderedObject } from '../../harness/helm-render.js'
import type { EnvEntry } from './process-env.js'

/** The fields of rendered objects the chart tests read (validated by k8s-schema first). */
export interface Probe {
  httpGet?: { path: string; port: string | number }
  tcpSocket?: { port: string | number }
  exec?: { command: string[] }
}
export interface Container {
  name: string
  image: string
  command?: string[]
  args?: string[]
  env?: EnvEntry[]
  ports?: { name?: string; containerPort: number }[]
  livenessProbe?: Probe
  readinessProbe?: Probe
  resources?: { limits?: Record<string, unknown>; requests?: Record<string, unknown> }
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]
}
export interface PodSpec {
  containers: Container[]
  serviceAccountName?: string
  automountServiceAccountToken?: boolean
  terminationGracePeriodSeconds?: number
  hostNetwork?: boolean
  dnsPolicy?: string
  nodeSelector?: Record<string, string>
  affinity?: unknown
  tolerations?: unknown[]
  volumes?: { name: string; [key: string]: unknown }[]
}
export interface Workload extends RenderedObject {
  spec: {
    replicas?: number
    selector: { matchLabels: Record<string, string> }
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> }
      spec: PodSpec
    }
  }
}
export interface Service extends RenderedObject {
  spec: {
    selector: Record<string, string>
    ports: { name?: string; port: number; targetPort?: string | number }[]
  }
}

/** Deployments and StatefulSets. */
export function workloads(objects: readonly RenderedObject[]): Workload[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[]
}

export function byKind<T extends RenderedObject = RenderedObject>(
  objects: readonly RenderedObject[],
  kind: string,
): T[] {
  return objects.filter((o) => o.kind === kind) as T[]
}

/** The object of that kind and name. @throws Error listing what there is. */
export function find<T extends RenderedObject = RenderedObject>(
  objects: readonly RenderedObject[],
  kind: string,
  name: string,
): T {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name)
  if (o === undefined) {
    const have = objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')
    throw new Error(`no ${kind}/${name} rendered (have: ${have})`)
  }
  return o as T
}

/**
 * The beamloom role a container runs (`beamloom <role>`), or undefined for others (Redis). The
 * container's command is `command`, with node flags (`--…`) perhaps put after its first element
 * (`dataPathNodeFlags`; `nodeFlagsOf` reads them).
 */
export function roleOf(c: Container, command: readonly string[]): string | undefined {
  const [node, ...rest] = c.command ?? []
  const bare = [node, ...rest.slice(nodeFlagsOf(c).length)]
  if (JSON.stringify(bare) !== JSON.stringify(command)) return undefined
  return c.args?.[0]
}

/** The node flags a container's command puts right after its first element (`node`). */
export function nodeFlagsOf(c: Container): string[] {
  const rest = (c.command ?? []).slice(1)
  const end = rest.findIndex((word) => !word.startsWith('--'))
  return end === -1 ? rest : rest.slice(0, end)
}

/** Whether a selector's labels all appear in `labels`. */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}
