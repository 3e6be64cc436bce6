import { Option } from 'commander'
import type { Logger } from 'pino'
import {
  createProcessLogger,
  defaultLogLevel,
  type LogConfig,
  type LogRole,
  type ProcessLoggerOptions,
  parseLogEnv,
} from '../src/analysis-runtime.js'

/** The logging flags every command takes (each overrides its env variable). */
export interface LogFlags {
  readonly logLevel?: string | undefined
  readonly logFormat?: string | undefined
}

/** `--log-level <level>` (env `LOG_LEVEL`), checked by {@link logConfigOf} with the env's. */
export function logLevelOption(role: LogRole): Option {
  return new Option(
    '--log-level <level>',
    `debug, info, warn, error or silent; Python's names too (env LOG_LEVEL; default ${defaultLogLevel(role)})`,
  )
}

/** `--log-format <format>` (env `LOG_FORMAT`); `up` writes pretty lines unless told `json`. */
export function logFormatOption(role?: LogRole): Option {
  return new Option(
    '--log-format <format>',
    role === 'up'
      ? 'json for JSON log lines; otherwise (auto, pretty) log lines read like up’s own (env LOG_FORMAT)'
      : 'pretty (human-readable lines), json, or auto: pretty on a terminal (env LOG_FORMAT)',
  ).choices(['auto', 'pretty', 'json'])
}

/**
 * The logging config of `role`: the env (`LOG_LEVEL`, `LOG_FORMAT`, the deprecated per-command
 * names) with the flags laid over it.
 * @throws ConfigError `CONFIG_INVALID` for a level or format that cannot be read.
 */
export function logConfigOf(
  flags: LogFlags,
  role: LogRole,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LogConfig {
  return parseLogEnv(
    {
      ...env,
      ...(flags.logLevel === undefined ? {} : { LOG_LEVEL: flags.logLevel }),
      ...(flags.logFormat === undefined ? {} : { LOG_FORMAT: flags.logFormat }),
    },
    role,
  )
}

/**
 * The logger of a role's process (see `createProcessLogger`), with the config's notes
 * (deprecated variables and flags) logged at WARNING.
 */
export function roleLogger(
  config: LogConfig,
  name: string,
  options: Omit<ProcessLoggerOptions, 'log' | 'name'> & { readonly notes?: readonly string[] } = {},
): Logger {
  const { notes = [], ...rest } = options
  const logger = createProcessLogger({ ...rest, name, log: config })
  for (const note of [...config.notes, ...notes]) logger.warn(note)
  return logger
}
