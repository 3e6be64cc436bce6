import { z } from 'zod'
import { ConfigError, StateError } from '../errors.js'
import {
  type ControlPlaneConfig,
  ControlPlaneEnv,
  type ControlPlaneVariable,
} from './control-plane-env.js'
import { parseDataPlaneEnv } from './data-plane-env.js'
import type { FlatEnv } from './dranspose-env.js'
import { envReaderOf, optionSchemas } from './env-reader.js'
import { type EnvSetting, envName, resolveSetting } from './env-setting.js'
import { formatIssues } from './format-issues.js'

/** What a role's env is read with: its typed config schema and the options set by env. */
export interface RoleEnvSpec<S extends z.ZodType> {
  /** The role, as error messages name it (`invalid worker config: …`). */
  readonly role: string
  /** The prefix of its variables (`WORKER`), see {@link envName}. */
  readonly prefix: string
  /** The role's typed config; its defaults apply to whatever the env leaves unset. */
  readonly schema: S
  /** The options read from the env, and how. */
  readonly settings: { readonly [K in keyof z.input<S>]?: EnvSetting }
  /**
   * Read the shared control-plane variables too (`REDIS_URL`, …): all of them (`true`, the
   * default), none (`false`: their defaults), or only those listed (`beamloom up` reads
   * `REDIS_CONNECT_TIMEOUT_MS` alone: its control plane is its `--redis` flag).
   */
  readonly controlPlane?: boolean | readonly ControlPlaneVariable[]
  /** Add the deployment's CURVE keys (`DATA_PLANE_KEY_FILE`) to the config as `curve`. */
  readonly dataPlane?: boolean
}

/** What {@link parseRoleEnv} returns. */
export interface RoleEnv<T> {
  /** The role's typed config, defaults applied. */
  readonly config: T
  /** The shared control-plane config (defaults only when the spec does not read it). */
  readonly controlPlane: ControlPlaneConfig
  /** Deprecation notes about the variables read, to log once the logger exists. */
  readonly notes: readonly string[]
}

/** What names a spec's variables: its prefix and its settings. */
type SpecNames = Pick<RoleEnvSpec<never>, 'prefix' | 'settings'>

/**
 * The variable one option of a spec is read from (pure): the setting's own name when it gives
 * one, else {@link envName} of the option (`windowEvents` with `WORKER`: `WORKER_WINDOW_EVENTS`).
 * The one derivation: {@link parseRoleEnv} reads this variable and a command's flag for the
 * option overrides it (`layFlags`).
 */
export function optionEnvName(spec: SpecNames, option: string): string {
  const setting = (spec.settings as Record<string, EnvSetting | undefined>)[option]
  return setting?.env ?? envName(spec.prefix, option)
}

/** The variable names a spec reads for its own options (not aliases), in order. */
export function envNames(spec: SpecNames): string[] {
  return settingsOf(spec).map(([option]) => optionEnvName(spec, option))
}

function settingsOf(spec: SpecNames): [string, EnvSetting][] {
  return Object.entries(spec.settings as Record<string, EnvSetting | undefined>).filter(
    (entry): entry is [string, EnvSetting] => entry[1] !== undefined,
  )
}

/** A spec made ready to read an env: each option's variable, and the one object of readers. */
interface CompiledSpec {
  readonly options: readonly (readonly [option: string, name: string, setting: EnvSetting])[]
  readonly readers: z.ZodType<Record<string, unknown>, Record<string, string | undefined>>
}

const compiled = new WeakMap<object, CompiledSpec>()

/**
 * Each option's variable and reader, worked out once per spec: the setting's `read`, else what
 * the option's schema says ({@link envReaderOf}).
 * @throws StateError `STATE_INVALID` for an option the schema does not have, or whose schema
 * says no reading from text (a list) and whose setting names no reader (a declaration error).
 */
function compile(spec: RoleEnvSpec<z.ZodType>): CompiledSpec {
  const known = compiled.get(spec)
  if (known !== undefined) return known
  const schemas = optionSchemas(spec.schema) ?? {}
  const options = settingsOf(spec).map(
    ([option, setting]) => [option, optionEnvName(spec, option), setting] as const,
  )
  const readers: Record<string, z.ZodType> = {}
  for (const [option, name, setting] of options) {
    const schema = schemas[option]
    if (schema === undefined) {
      throw new StateError(`${spec.role} config has no option ${option} for ${name} to set`)
    }
    const read = setting.read ?? envReaderOf(schema)
    if (read === undefined) {
      throw new StateError(
        `${spec.role} option ${option} (${name}): its schema does not say how text is read; give its setting a read`,
      )
    }
    readers[option] =
      setting.required === undefined
        ? read.optional()
        : z.string({ error: setting.required }).pipe(read as z.ZodType<unknown, string>)
  }
  const result: CompiledSpec = {
    options,
    readers: z.object(readers) as unknown as CompiledSpec['readers'],
  }
  compiled.set(spec, result)
  return result
}

/**
 * Read a role's config from a flat env (pure apart from reading the CURVE key file; pass
 * `process.env`, Dranspose's names translated, with the command's flags laid over it: see
 * `layFlags`). Each option's variable is {@link optionEnvName} of it; aliases and deprecated
 * names are read as {@link resolveSetting} says; its text is read as its schema says (a number,
 * a boolean, text; {@link envReaderOf}) unless the setting names a reader. The texts, and
 * `fixed` values the caller sets itself, pass one zod parse of `spec.schema`; the shared control-plane variables
 * (`REDIS_URL`, `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`, `REDIS_CONNECT_TIMEOUT_MS`) are read the
 * same way for every role.
 * @throws ConfigError `CONFIG_INVALID`: `invalid <role> config: VARIABLE: message; …`, every
 * bad variable at once, named as it was set (never echoing a value).
 * @throws StateError `STATE_INVALID` for a spec that cannot be read (see `compile`).
 */
export function parseRoleEnv<S extends z.ZodType>(
  env: FlatEnv,
  spec: RoleEnvSpec<S>,
  fixed: (controlPlane: ControlPlaneConfig) => Partial<z.input<S>> = () => ({}),
): RoleEnv<z.output<S>> {
  const { options, readers } = compile(spec)
  const names = new Map<string, string>()
  const texts: Record<string, string | undefined> = {}
  const notes: string[] = []
  for (const [option, name, setting] of options) {
    const found = resolveSetting(env, name, setting)
    names.set(option, found.name)
    texts[option] = found.value
    notes.push(...found.notes)
  }
  const plane = ControlPlaneEnv.safeParse(controlPlaneInput(env, spec.controlPlane ?? true))
  const controlPlane = plane.success ? plane.data : ControlPlaneEnv.parse({})
  const schema = readers
    .transform((input): unknown => ({ ...fixed(controlPlane), ...dropUndefined(input) }))
    // The typed schema checks what the env gave; its input type says nothing more here.
    .pipe(spec.schema as z.ZodType<z.output<S>, unknown>)
  const parsed = schema.safeParse(texts)
  const issues = [...(plane.success ? [] : plane.error.issues), ...(parsed.error?.issues ?? [])]
  if (!parsed.success || issues.length > 0) {
    const nameOf = (path: readonly PropertyKey[]) =>
      path.length === 0 ? undefined : names.get(String(path[0]))
    throw new ConfigError(`invalid ${spec.role} config: ${formatIssues(issues, { nameOf })}`)
  }
  const config = spec.dataPlane === true ? withCurve(parsed.data, env) : parsed.data
  return { config, controlPlane, notes }
}

/** The part of `env` a spec reads the control plane from ({@link RoleEnvSpec.controlPlane}). */
function controlPlaneInput(env: FlatEnv, read: boolean | readonly ControlPlaneVariable[]): FlatEnv {
  if (read === true) return env
  if (read === false) return {}
  return Object.fromEntries(read.map((name) => [name, env[name]]))
}

function withCurve<T>(config: T, env: FlatEnv): T {
  return { ...config, ...parseDataPlaneEnv(env) }
}

/**
 * Validate a role's typed config the one way every `createX` does (pure): one zod parse.
 * @throws ConfigError `CONFIG_INVALID`: `invalid <what>: path: message; …`.
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, what: string) {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new ConfigError(`invalid ${what}: ${formatIssues(parsed.error)}`)
  return parsed.data as z.output<S>
}

function dropUndefined(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
