import { z } from 'zod'
import type { FlatEnv } from './dranspose-env.js'

/** How one option of a role is read from the environment (see {@link parseRoleEnv}). */
export interface EnvSetting {
  /**
   * The variable's name when it is not the derived one ({@link envName}), e.g. the shared
   * `BEAMLOOM_PYTHON` or a name kept from before the rule (`REDUCER_PORT` for `httpPort`).
   */
  readonly env?: string
  /**
   * Other names of the same setting (Dranspose's, a shared one), read when the own name is not
   * set; of several, the first one set wins. No note is logged for them.
   */
  readonly aliases?: readonly string[]
  /** Names the setting had before: read last, each with a deprecation note. */
  readonly deprecated?: readonly string[]
  /** What a deprecation note tells to set instead (default: the variable's name). */
  readonly instead?: string
  /**
   * How the text becomes the option's input, where the option's schema does not say it (a
   * list: {@link EnvRead.list}). Default: what the schema says (`envReaderOf`: a number is
   * {@link EnvRead.number}, a boolean {@link EnvRead.flag}, text as it is).
   */
  readonly read?: z.ZodType
  /** Unset is an error with this message (instead of the schema's own). */
  readonly required?: string
}

/** What {@link resolveSetting} found. */
export interface ResolvedSetting {
  /** The variable the value was read from (the own name when none is set). */
  readonly name: string
  readonly value: string | undefined
  /** Deprecation notes, to log once the logger exists. */
  readonly notes: readonly string[]
}

/**
 * The env name of an option (pure): the option in UPPER_SNAKE case after the role's prefix,
 * binary units kept whole: `eventTimeoutMs` with `WORKER` is `WORKER_EVENT_TIMEOUT_MS`,
 * `memoryMiB` is `WORKER_MEMORY_MIB`, `h5Dir` is `REDUCER_H5_DIR`. An empty prefix gives the
 * plain name (`heartbeatMs` → `HEARTBEAT_MS`).
 */
export function envName(prefix: string, option: string): string {
  const snake = option
    .replace(/[KMGT]iB/g, (unit) => `_${unit.toUpperCase()}`)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/^_/, '')
    .toUpperCase()
  return prefix === '' ? snake : `${prefix}_${snake}`
}

const isSet = (value: string | undefined): value is string => value !== undefined && value !== ''

/**
 * Which variable sets a setting (pure): the own `name` when it is set (even empty: the schema
 * then says why that is wrong), else the first alias set, else the first deprecated name set,
 * with a note. A deprecated name that is set but not read gets a note that it is ignored.
 */
export function resolveSetting(env: FlatEnv, name: string, setting: EnvSetting): ResolvedSetting {
  const notes: string[] = []
  let used: string | undefined
  if (env[name] !== undefined) used = name
  else used = setting.aliases?.find((alias) => isSet(env[alias]))
  for (const old of setting.deprecated ?? []) {
    if (!isSet(env[old])) continue
    if (used === undefined) {
      used = old
      notes.push(`${old} is deprecated: set ${setting.instead ?? name} instead`)
    } else {
      notes.push(`${old} is deprecated and ignored: ${used} is set`)
    }
  }
  return { name: used ?? name, value: used === undefined ? undefined : env[used], notes }
}

/** Readers of env text: what `envReaderOf` derives, and lists for {@link EnvSetting.read}. */
export const EnvRead = {
  /** A number, as `Number(text)` reads it (the role's schema checks range and integrality). */
  number: z.coerce.number(),
  /** A comma list (`a, b,c`), trimmed, empty entries dropped. */
  list: z.string().transform((text) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
  /** `true`/`1` or `false`/`0`. */
  flag: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
} as const
