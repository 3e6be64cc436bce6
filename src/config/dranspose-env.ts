import { dirname } from 'node:path'
import { ConfigError } from '../errors.js'

/** The process kinds whose env {@link applyDransposeEnv} translates. */
export type EnvRole = 'controller' | 'ingester' | 'worker' | 'reducer'

/** A flat env, as `process.env` is. */
export type FlatEnv = Readonly<Record<string, string | undefined>>

/** One Dranspose variable and what it becomes in beamloom. */
export interface DransposeEnvAlias {
  /** The variable Dranspose's roles read (its settings classes, its Helm chart). */
  readonly dranspose: string
  /** The beamloom variables it sets (each only when that variable is not set already). */
  readonly beamloom: readonly string[]
  /** The roles that have the same setting. */
  readonly roles: readonly EnvRole[]
  /** How the value is translated, for the docs. */
  readonly how: string
  /** The beamloom values for a Dranspose value. @throws ConfigError for a value it cannot read. */
  readonly translate: (value: string) => Readonly<Record<string, string>>
}

const ALL: readonly EnvRole[] = ['controller', 'ingester', 'worker', 'reducer']

/** `["a", "b"]` (JSON, as pydantic-settings reads lists and sets) or `a,b` to a comma list. */
function commaList(name: string, value: string): string {
  const text = value.trim()
  if (!text.startsWith('[')) return text
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError(`${name}: not a JSON list: ${text}`, { cause })
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string' && s !== '')) {
    throw new ConfigError(`${name}: expected a JSON list of non-empty strings, got ${text}`)
  }
  return parsed.join(',')
}

/**
 * A Dranspose bind URL (`tcp://host:port`: it binds `tcp://*:port` and tells others `host`)
 * as a beamloom bind address and the host it advertises.
 */
function bindAndHost(name: string, value: string, bindVar: string, hostVar: string) {
  const match = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(value.trim())
  const port = Number(match?.[2])
  if (match === null || port > 65_535) {
    throw new ConfigError(`${name}: expected tcp://host:port, got '${value}'`)
  }
  return { [bindVar]: `tcp://*:${port}`, [hostVar]: match[1] as string }
}

/**
 * Every Dranspose variable beamloom reads, with the beamloom variables it stands for
 * (docs/configuration.md shows this table). Dranspose's settings are pydantic-settings
 * fields read case-insensitively without a prefix; its Helm chart sets `REDIS_URL`,
 * `LOG_LEVEL`, `INGESTER_URL`, `REDUCER_URL`, `DUMP_PATH` and passes classes and streams as
 * arguments. `LOG_LEVEL` is beamloom's own name too (`parseLogEnv`, Python level names
 * accepted), so it needs no entry.
 */
export const DRANSPOSE_ENV_ALIASES: readonly DransposeEnvAlias[] = [
  {
    dranspose: 'REDIS_DSN',
    beamloom: ['REDIS_URL'],
    roles: ALL,
    how: 'as is (the settings field is `redis_dsn`)',
    translate: (v) => ({ REDIS_URL: v }),
  },
  {
    dranspose: 'SERVICE_REDIS_DSN',
    beamloom: ['REDIS_URL'],
    roles: ALL,
    how: 'as is',
    translate: (v) => ({ REDIS_URL: v }),
  },
  {
    dranspose: 'WORKER_CLASS',
    beamloom: ['WORKER_MODULE'],
    roles: ['worker'],
    how: 'as is (`path/to/file.ts:Class`)',
    translate: (v) => ({ WORKER_MODULE: v }),
  },
  {
    dranspose: 'WORKER_TAGS',
    beamloom: ['WORKER_TAGS'],
    roles: ['worker'],
    how: 'a JSON list (`["generic","gpu"]`) becomes a comma list',
    translate: (v) => ({ WORKER_TAGS: commaList('WORKER_TAGS', v) }),
  },
  {
    dranspose: 'REDUCER_CLASS',
    beamloom: ['REDUCER_MODULE'],
    roles: ['reducer'],
    how: 'as is',
    translate: (v) => ({ REDUCER_MODULE: v }),
  },
  {
    dranspose: 'REDUCER_URL',
    beamloom: ['REDUCER_BIND', 'REDUCER_ADVERTISE_HOST'],
    roles: ['reducer'],
    how: '`tcp://host:port` binds `tcp://*:port` and advertises `host`',
    translate: (v) => bindAndHost('REDUCER_URL', v, 'REDUCER_BIND', 'REDUCER_ADVERTISE_HOST'),
  },
  {
    dranspose: 'INGESTER_STREAMS',
    beamloom: ['INGESTER_STREAMS'],
    roles: ['ingester'],
    how: 'a JSON list (`["eiger"]`) becomes a comma list',
    translate: (v) => ({ INGESTER_STREAMS: commaList('INGESTER_STREAMS', v) }),
  },
  {
    dranspose: 'INGESTER_URL',
    beamloom: ['INGESTER_BIND', 'INGESTER_ADVERTISE_HOST'],
    roles: ['ingester'],
    how: '`tcp://host:port` binds `tcp://*:port` and advertises `host`',
    translate: (v) => bindAndHost('INGESTER_URL', v, 'INGESTER_BIND', 'INGESTER_ADVERTISE_HOST'),
  },
  {
    dranspose: 'UPSTREAM_URL',
    beamloom: ['INGESTER_UPSTREAM_URL'],
    roles: ['ingester'],
    how: 'as is',
    translate: (v) => ({ INGESTER_UPSTREAM_URL: v }),
  },
  {
    dranspose: 'DUMP_PATH',
    beamloom: ['INGESTER_DUMP_PATH', 'INGESTER_DUMP_DIR'],
    roles: ['ingester'],
    how: 'the file; its directory becomes the dump directory',
    translate: (v) => ({ INGESTER_DUMP_PATH: v, INGESTER_DUMP_DIR: dirname(v) }),
  },
]

/**
 * The env with Dranspose's variable names translated for `role` (pure): each Dranspose
 * variable that is set fills the beamloom variables it stands for, unless those are set
 * already (beamloom's own names win), so existing Helm values and scripts carry over. Names
 * that are the same in both (`REDIS_URL`, `WORKER_NAME`, `INGESTER_NAME`) need nothing; list
 * values given as JSON (`WORKER_TAGS`, `INGESTER_STREAMS`) become comma lists.
 * @throws ConfigError `CONFIG_INVALID` naming a Dranspose variable whose value cannot be read.
 */
export function applyDransposeEnv(env: FlatEnv, role: EnvRole): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env }
  const filled = new Set<string>()
  for (const alias of DRANSPOSE_ENV_ALIASES) {
    const value = env[alias.dranspose]
    if (value === undefined || value === '' || !alias.roles.includes(role)) continue
    for (const [name, translated] of Object.entries(alias.translate(value))) {
      const sameName = name === alias.dranspose
      const own = env[name]
      // beamloom's own variable wins; of two aliases for one variable, the first listed.
      if (!sameName && ((own !== undefined && own !== '') || filled.has(name))) continue
      out[name] = translated
      filled.add(name)
    }
  }
  return out
}
