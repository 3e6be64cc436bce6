import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { z } from 'zod'
import { AutoscalerEnvSpec, parseAutoscalerEnv } from '../../../autoscaler/autoscaler-config.js'
import { ingesterCommand } from '../../../cli/commands/ingester.js'
import { IngesterEnvSpec, parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'
import { parseReducerEnv, ReducerEnvSpec } from '../../../reducer/reducer-env.js'
import { type ControlPlaneConfig, ControlPlaneEnv } from '../../../src/config/control-plane-env.js'
import { DATA_PATH_ENV } from '../../../src/config/data-path-flags.js'
import { DataPlaneEnv } from '../../../src/config/data-plane-env.js'
import { LogEnv } from '../../../src/config/log-env.js'
import { envNames, type RoleEnvSpec } from '../../../src/config/role-env.js'
import { ControllerEnvSpec, parseControllerEnv } from '../../../src/controller/controller-config.js'
import { parseWorkerEnv, WorkerEnvSpec } from '../../../workers/worker-config.js'

/**
 * The env variable names a zod env schema reads: the keys of its objects, through pipes (the
 * input side) and intersections. Read from the schemas in the code, so it stays true as
 * variables are added.
 */
export function envNamesOf(schema: z.ZodType): Set<string> {
  const def: unknown = schema._zod.def
  const names = new Set<string>()
  const walk = (d: unknown): void => {
    if (typeof d !== 'object' || d === null || !('type' in d)) return
    const inner = (key: string): unknown => {
      const s = (d as Record<string, unknown>)[key]
      return typeof s === 'object' && s !== null && '_zod' in s
        ? (s as { _zod: { def: unknown } })._zod.def
        : undefined
    }
    if (d.type === 'object' && 'shape' in d && typeof d.shape === 'object' && d.shape !== null) {
      for (const key of Object.keys(d.shape)) names.add(key)
    } else if (d.type === 'pipe') {
      walk(inner('in'))
    } else if (d.type === 'intersection') {
      walk(inner('left'))
      walk(inner('right'))
    }
  }
  walk(def)
  return names
}

/** The env variable names a role's env spec reads for its own options (see `envNames`). */
function specNames(spec: Pick<RoleEnvSpec<never>, 'prefix' | 'settings'>): Set<string> {
  return new Set(envNames(spec))
}

const controlPlane = envNamesOf(ControlPlaneEnv)
const dataPlane = envNamesOf(DataPlaneEnv)
const logging = envNamesOf(LogEnv)
/** Read by the C library of the roles that move frames (glibc's allocator settings). */
const dataPath = new Set(Object.keys(DATA_PATH_ENV))
const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]))

/** What each `beamloom <role>` process reads from its env, by role (the container's args[0]). */
export const ENV_NAMES_BY_ROLE: Readonly<Record<string, Set<string>>> = {
  controller: union(specNames(ControllerEnvSpec), controlPlane, logging),
  worker: union(specNames(WorkerEnvSpec), controlPlane, dataPlane, logging, dataPath),
  reducer: union(specNames(ReducerEnvSpec), controlPlane, dataPlane, logging),
  ingester: union(specNames(IngesterEnvSpec), controlPlane, dataPlane, logging, dataPath),
  autoscaler: union(specNames(AutoscalerEnvSpec), logging),
}

/**
 * Parse a process's env as `beamloom <role>` does, with the role's own parser (throws as the
 * process would), and return the control plane it reads (`undefined`: the autoscaler has none).
 */
export function controlPlaneOf(
  role: string,
  env: Readonly<Record<string, string | undefined>>,
): ControlPlaneConfig | undefined {
  if (role === 'controller') return parseControllerEnv(env).controlPlane
  if (role === 'worker') return parseWorkerEnv(env).controlPlane
  if (role === 'reducer') return parseReducerEnv(env).controlPlane
  if (role === 'ingester') return parseIngesterEnv(env).controlPlane
  if (role === 'autoscaler') {
    parseAutoscalerEnv(env)
    return undefined
  }
  throw new Error(`no beamloom role ${role}`)
}

/** The devices `beamloom ingester <device>` knows, from the CLI itself. */
export function ingesterDevices(): Set<string> {
  return new Set(ingesterCommand().commands.map((c) => c.name()))
}

/** An env entry of a rendered container. */
export interface EnvEntry {
  readonly name: string
  readonly value?: string
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string }
    readonly secretKeyRef?: { readonly name: string; readonly key: string }
  }
}

/** What the fake pod answers for downward-API fields and Secrets. */
export const POD = {
  name: 'beamloom-worker-5d8f7-x2k4q',
  ip: '10.42.0.17',
  namespace: 'beamline',
  secret: 'pa55word',
}

/**
 * The env a container's process sees, as the kubelet builds it: downward-API fields and Secret
 * values filled in (from {@link POD}), `$(NAME)` expanded from the variables defined before it.
 * @throws Error naming a reference that cannot be resolved.
 */
export function resolveEnv(entries: readonly EnvEntry[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const e of entries) {
    let value: string
    if (e.value !== undefined) {
      value = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_m, name: string) => {
        const known = env[name]
        if (known === undefined)
          throw new Error(`${e.name} refers to $(${name}), not defined before it`)
        return known
      })
    } else if (e.valueFrom?.fieldRef !== undefined) {
      const field = e.valueFrom.fieldRef.fieldPath
      const fields: Record<string, string> = {
        'metadata.name': POD.name,
        'metadata.namespace': POD.namespace,
        'status.podIP': POD.ip,
      }
      const v = fields[field]
      if (v === undefined) throw new Error(`${e.name}: unexpected fieldRef ${field}`)
      value = v
    } else if (e.valueFrom?.secretKeyRef !== undefined) {
      value = POD.secret
    } else {
      throw new Error(`${e.name}: neither value nor a known valueFrom`)
    }
    // The key file is a mounted Secret in the pod; here, a key file of the same kind.
    env[e.name] = e.name === 'DATA_PLANE_KEY_FILE' ? mountedKeyFile(value) : value
  }
  return env
}

let keyFile: string | undefined

/**
 * A stand-in for the data-plane key Secret mounted at `path` in a pod: a temporary file holding
 * what the chart's Secret holds (32 random bytes in base64). Checks the path's form.
 */
function mountedKeyFile(path: string): string {
  if (!path.startsWith('/etc/beamloom/data-plane/')) {
    throw new Error(`DATA_PLANE_KEY_FILE ${path} is not under the Secret's mount`)
  }
  if (keyFile === undefined) {
    keyFile = join(mkdtempSync(join(tmpdir(), 'beamloom-helm-')), 'data-plane.key')
    writeFileSync(keyFile, randomBytes(32).toString('base64'))
  }
  return keyFile
}

/** Names used only as `$(NAME)` inside other variables' values (helpers such as REDIS_PASSWORD). */
export function referencedOnly(entries: readonly EnvEntry[]): Set<string> {
  const refs = new Set<string>()
  for (const e of entries) {
    for (const m of (e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
      if (m[1] !== undefined) refs.add(m[1])
    }
  }
  return refs
}
