import { type Command, InvalidArgumentError, Option } from 'commander'
import type { DeviceOption, DeviceOptionParser, DeviceOptionValues } from '../../ingesters/index.js'
import { ConfigError, envName, isBeamloomError, StateError } from '../../src/internal.js'
import { fromConfigParser, nonNegativeInt, positiveInt, rate, rows, shape } from '../validators.js'

const NAMED_PARSERS: Readonly<
  Record<Extract<DeviceOptionParser, string>, (text: string) => unknown>
> = { nonNegativeInt, positiveInt, rate, shape, rows }

/**
 * The variable a device option falls back to (pure): the config helper's {@link envName} of its
 * {@link DeviceOption.envPrefix} and its name as commander stores it (`--token` with `INGESTER`:
 * `INGESTER_TOKEN`); `undefined` when it declares none.
 */
export function optionEnvName(spec: DeviceOption): string | undefined {
  if (spec.envPrefix === undefined) return undefined
  return envName(spec.envPrefix, new Option(spec.flags).attributeName())
}

/**
 * A device's declared option as a commander option, with the CLI's shared checks; its help
 * names the variable it falls back to (`[INGESTER_TOKEN]`).
 * @throws StateError for a switch that declares a variable (a declaration error).
 */
export function toOption(spec: DeviceOption): Option {
  const env = optionEnvName(spec)
  const option = new Option(
    spec.flags,
    env === undefined ? spec.description : `${spec.description} [${env}]`,
  )
  if (env !== undefined && !option.required && !option.optional) {
    throw new StateError(`option ${spec.flags} takes no value: it cannot fall back to ${env}`)
  }
  const read = readerOf(spec)
  if (read !== undefined) option.argParser(read)
  if (spec.choices !== undefined) option.choices(spec.choices)
  if (spec.default !== undefined) option.default(spec.default, spec.defaultDescription)
  if (spec.hidden === true) option.hideHelp()
  return option
}

function readerOf(spec: DeviceOption): ((text: string) => unknown) | undefined {
  const { parse } = spec
  if (typeof parse === 'string') return NAMED_PARSERS[parse]
  return parse === undefined ? undefined : fromConfigParser(parse)
}

/** `three-messages` → `threeMessages`, the key commander stores the value under. */
function attributeName(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/**
 * The values of the options of `specs` that declare a variable and whose variable is set, by
 * attribute name, read with the options' checks.
 * @throws ConfigError `CONFIG_INVALID`: `VARIABLE: message` for text an option's check refuses.
 */
function readEnv(
  specs: readonly DeviceOption[],
  env: Readonly<Record<string, string | undefined>>,
): Map<string, unknown> {
  const values = new Map<string, unknown>()
  for (const spec of specs) {
    const name = optionEnvName(spec)
    const text = name === undefined ? undefined : env[name]
    if (name === undefined || text === undefined) continue
    if (spec.choices !== undefined && !spec.choices.includes(text)) {
      throw new ConfigError(`${name}: expected one of ${spec.choices.join(', ')}`)
    }
    const read = readerOf(spec) ?? ((t: string) => t)
    try {
      values.set(new Option(spec.flags).attributeName(), read(text))
    } catch (err) {
      if (err instanceof InvalidArgumentError || isBeamloomError(err)) {
        throw new ConfigError(`${name}: ${err.message}`, { cause: err })
      }
      throw err
    }
  }
  return values
}

/**
 * The values a device command was given, read by the device by flag name: the flag's, else the
 * variable of an option of `specs` that declares one ({@link DeviceOption.envPrefix}), else the
 * default. Every such variable that is set is read here, before the command starts anything.
 * @throws ConfigError `CONFIG_INVALID`: `VARIABLE: message` for text an option's check refuses.
 */
export function optionValues(
  command: Command,
  env: Readonly<Record<string, string | undefined>>,
  specs: readonly DeviceOption[],
): DeviceOptionValues {
  const opts: Record<string, unknown> = command.opts()
  const fromEnv = readEnv(specs, env)
  const given = (attribute: string): unknown =>
    fromEnv.has(attribute) && command.getOptionValueSource(attribute) !== 'cli'
      ? fromEnv.get(attribute)
      : opts[attribute]
  const wrongKind = (name: string, kind: string) =>
    new StateError(`option --${name} of '${command.name()}' is not ${kind}`)
  const value = <T>(name: string, kind: string, is: (v: unknown) => v is T): T | undefined => {
    const v = given(attributeName(name))
    if (v === undefined) return undefined
    if (!is(v)) throw wrongKind(name, kind)
    return v
  }
  const isString = (v: unknown): v is string => typeof v === 'string'
  const isNumber = (v: unknown): v is number => typeof v === 'number'
  const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNumber)
  const isPair =
    <T>(is: (x: unknown) => x is T) =>
    (v: unknown): v is [T, T] =>
      Array.isArray(v) && v.length === 2 && v.every(is)
  const values: DeviceOptionValues = {
    env,
    string: (name) => value(name, 'text', isString),
    number: (name) => value(name, 'a number', isNumber),
    requireString: (name) => values.string(name) ?? failMissing(name),
    requireNumber: (name) => values.number(name) ?? failMissing(name),
    flag: (name) => value(name, 'a switch', (v): v is boolean => typeof v === 'boolean') === true,
    numbers: (name) => value(name, 'a list of numbers', isNumbers),
    numberPair: (name) => value(name, 'two numbers', isPair(isNumber)),
    stringPair: (name) => value(name, 'two names', isPair(isString)),
    fromDefault: (name) => {
      const attribute = attributeName(name)
      return command.getOptionValueSource(attribute) === 'default' && !fromEnv.has(attribute)
    },
  }
  const failMissing = (name: string): never => {
    throw new StateError(`option --${name} of '${command.name()}' has no value`)
  }
  return values
}
