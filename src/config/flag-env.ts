import { StateError } from '../errors.js'
import { ControlPlaneEnv, type ControlPlaneVariable } from './control-plane-env.js'
import type { FlatEnv } from './dranspose-env.js'
import { optionSchemas } from './env-reader.js'
import { optionEnvName, type RoleEnvSpec } from './role-env.js'

/** What {@link layFlags} needs of a role's env spec. */
type FlagSpec = Pick<RoleEnvSpec<never>, 'role' | 'prefix' | 'settings' | 'controlPlane'>

/** The options a role's env spec reads, by their names there (`windowEvents`). */
export type SpecOption<Spec extends { readonly settings: object }> = Extract<
  keyof Spec['settings'],
  string
>

/**
 * What one command-line flag of a role sets: an option its env spec reads (by its name there)
 * or one of the shared control-plane variables the spec reads (`REDIS_URL`).
 */
export type FlagTarget<Spec extends { readonly settings: object }> =
  | SpecOption<Spec>
  | ControlPlaneVariable

/**
 * Which setting each flag of a role's command sets, by the attribute commander keeps the flag's
 * value under (`--key-prefix` is `keyPrefix`): `{ window: 'windowEvents', redis: 'REDIS_URL' }`.
 * The variable a flag overrides is never written here: it is the spec's ({@link flagEnvNames}).
 * Name the command's flags as `Flag` and each must have a target.
 */
export type FlagTargets<
  Spec extends { readonly settings: object },
  Flag extends string = string,
> = Readonly<Record<Flag, FlagTarget<Spec>>>

const CONTROL_PLANE_VARIABLES: ReadonlySet<string> = new Set(
  Object.keys(optionSchemas(ControlPlaneEnv) ?? {}),
)

function readsControlPlane(spec: FlagSpec, variable: string): boolean {
  const read = spec.controlPlane ?? true
  if (typeof read === 'boolean') return read && CONTROL_PLANE_VARIABLES.has(variable)
  return (read as readonly string[]).includes(variable)
}

/**
 * The variable each flag overrides, by flag (pure): for an option, the variable the role reads
 * it from ({@link optionEnvName}, the derivation `parseRoleEnv` reads with, so a flag and its
 * variable cannot disagree); for a control-plane variable, itself.
 * @throws StateError `STATE_INVALID` for a target the spec does not read (a declaration error).
 */
export function flagEnvNames(
  spec: FlagSpec,
  targets: Readonly<Record<string, string>>,
): ReadonlyMap<string, string> {
  const names = new Map<string, string>()
  for (const [flag, target] of Object.entries(targets)) {
    if (Object.hasOwn(spec.settings, target)) names.set(flag, optionEnvName(spec, target))
    else if (readsControlPlane(spec, target)) names.set(flag, target)
    else throw new StateError(`flag ${flag} sets ${target}, which the ${spec.role} does not read`)
  }
  return names
}

/**
 * `env` with a command's flags laid over it (pure): each flag of `targets` that has a value sets
 * the variable {@link flagEnvNames} names (numbers as their decimal text), so the flag wins over
 * the variable and over its aliases; values of other flags (`logLevel`, …) are left out. Pass
 * the result to the role's parser (`parseRoleEnv`).
 * @throws StateError `STATE_INVALID` for a target the spec does not read, or a value that is not
 * text, a number or a boolean (declaration errors).
 */
export function layFlags<Targets extends Readonly<Record<string, string>>>(
  env: FlatEnv,
  spec: FlagSpec,
  targets: Targets,
  flags: { readonly [Flag in keyof Targets]?: unknown },
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env }
  const values: Readonly<Record<string, unknown>> = flags
  for (const [flag, name] of flagEnvNames(spec, targets)) {
    const value = values[flag]
    if (value === undefined) continue
    if (typeof value === 'string') out[name] = value
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value)
    else throw new StateError(`flag ${flag} of the ${spec.role} has a value that is not text`)
  }
  return out
}
