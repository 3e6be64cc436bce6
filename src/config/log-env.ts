import { z } from 'zod'
import { ConfigError } from '../errors.js'
import { resolveSetting } from './env-setting.js'
import { formatIssues } from './format-issues.js'

/** The commands whose logging {@link parseLogEnv} configures. */
export type LogRole =
  | 'controller'
  | 'worker'
  | 'reducer'
  | 'ingester'
  | 'autoscaler'
  | 'up'
  | 'replay'
  | 'simulate'

/** A pino level name (`silent` logs nothing). */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/** Level names as written, lower-cased: pino's own and Python's (Dranspose's `LOG_LEVEL`). */
const LEVELS: Readonly<Record<string, LogLevelName>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  silent: 'silent',
}

/**
 * A log level: pino's names (`debug`, `info`, `warn`, …, `silent`) or Python's (`DEBUG`,
 * `WARNING`, `CRITICAL`, as Dranspose deployments set `LOG_LEVEL`), any case.
 */
export const LogLevelSetting = z.string().transform((text, ctx): LogLevelName => {
  const level = LEVELS[text.trim().toLowerCase()]
  if (level === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown level '${text}' (trace, debug, info, warn, error, fatal, silent; or DEBUG, INFO, WARNING, ERROR, CRITICAL)`,
    })
    return z.NEVER
  }
  return level
})

/**
 * How log lines look: `pretty` (one human-readable line per record), `json` (one pino JSON
 * object per line, for collectors) or `auto` (pretty on a terminal, JSON otherwise).
 */
export const LogFormat = z.enum(['auto', 'pretty', 'json'])
export type LogFormat = z.output<typeof LogFormat>

/** A variable that set the level of one command before `LOG_LEVEL` did it for all. */
export interface DeprecatedLogLevelVariable {
  readonly name: string
  readonly roles: readonly LogRole[]
}

/** Read when `LOG_LEVEL` is not set, with a deprecation warning (docs/configuration.md). */
export const DEPRECATED_LOG_LEVEL_VARIABLES: readonly DeprecatedLogLevelVariable[] = [
  { name: 'CONTROLLER_LOG_LEVEL', roles: ['controller'] },
  { name: 'AUTOSCALER_LOG_LEVEL', roles: ['autoscaler'] },
  { name: 'BEAMLOOM_LOG_LEVEL', roles: ['up'] },
]

/**
 * The logging env every command reads:
 * - `LOG_LEVEL` — the level (see {@link LogLevelSetting}); default `info`, `warn` for `up` (whose
 *   own lines say what happens);
 * - `LOG_FORMAT` — `auto` (default), `pretty` or `json` (see {@link LogFormat}).
 */
export const LogEnv = z.object({
  LOG_LEVEL: LogLevelSetting.optional(),
  LOG_FORMAT: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(LogFormat)
    .default('auto'),
})

/** Typed logging config, from {@link parseLogEnv}. */
export interface LogConfig {
  readonly level: LogLevelName
  readonly format: LogFormat
  /** Deprecation notes about the variables read, to log once the logger exists. */
  readonly notes: readonly string[]
}

/** The default level of a command when nothing sets one. */
export function defaultLogLevel(role: LogRole): LogLevelName {
  return role === 'up' ? 'warn' : 'info'
}

/**
 * Read `LOG_LEVEL` and `LOG_FORMAT` for `role` (pure; pass the env with the command-line
 * options laid over it). A deprecated per-command variable (`CONTROLLER_LOG_LEVEL`, …) is read
 * when `LOG_LEVEL` is not set, and named in {@link LogConfig.notes} either way.
 * @throws ConfigError `CONFIG_INVALID` naming the variable whose value cannot be read.
 */
export function parseLogEnv(env: Readonly<Record<string, string | undefined>>, role: LogRole) {
  // A blank value counts as unset, for the level as for the format.
  const set = (name: string): string | undefined => {
    const value = env[name]
    return value === undefined || value.trim() === '' ? undefined : value
  }
  const deprecated = DEPRECATED_LOG_LEVEL_VARIABLES.filter((old) => old.roles.includes(role))
  const blankless = Object.fromEntries(
    ['LOG_LEVEL', ...deprecated.map((old) => old.name)].map((name) => [name, set(name)]),
  )
  const level = resolveSetting(blankless, 'LOG_LEVEL', {
    deprecated: deprecated.map((old) => old.name),
    instead: 'LOG_LEVEL (or pass --log-level)',
  })
  const parsed = LogEnv.safeParse({ LOG_LEVEL: level.value, LOG_FORMAT: set('LOG_FORMAT') })
  if (!parsed.success) {
    const nameOf = (path: readonly PropertyKey[]) =>
      path[0] === 'LOG_LEVEL' ? level.name : undefined
    throw new ConfigError(`invalid logging config: ${formatIssues(parsed.error, { nameOf })}`)
  }
  const config: LogConfig = {
    level: parsed.data.LOG_LEVEL ?? defaultLogLevel(role),
    format: parsed.data.LOG_FORMAT,
    notes: level.notes,
  }
  return config
}
