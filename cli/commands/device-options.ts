import { type Command, Option } from 'commander'
import type { DeviceOption, DeviceOptionParser, DeviceOptionValues } from '../../ingesters/index.js'
import { StateError } from '../../src/internal.js'
import { fromConfigParser, nonNegativeInt, positiveInt, rate, rows, shape } from '../validators.js'

const NAMED_PARSERS: Readonly<
  Record<Extract<DeviceOptionParser, string>, (text: string) => unknown>
> = { nonNegativeInt, positiveInt, rate, shape, rows }

/** A device's declared option as a commander option, with the CLI's shared checks. */
export function toOption(spec: DeviceOption): Option {
  const option = new Option(spec.flags, spec.description)
  const { parse } = spec
  if (typeof parse === 'string') option.argParser(NAMED_PARSERS[parse])
  else if (parse !== undefined) option.argParser(fromConfigParser(parse))
  if (spec.choices !== undefined) option.choices(spec.choices)
  if (spec.default !== undefined) option.default(spec.default, spec.defaultDescription)
  if (spec.hidden === true) option.hideHelp()
  return option
}

/** `three-messages` → `threeMessages`, the key commander stores the value under. */
function attributeName(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** The values a device command was given, read by the device by flag name. */
export function optionValues(
  command: Command,
  env: Readonly<Record<string, string | undefined>>,
): DeviceOptionValues {
  const opts: Record<string, unknown> = command.opts()
  const wrongKind = (name: string, kind: string) =>
    new StateError(`option --${name} of '${command.name()}' is not ${kind}`)
  const value = <T>(name: string, kind: string, is: (v: unknown) => v is T): T | undefined => {
    const v = opts[attributeName(name)]
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
    fromDefault: (name) => command.getOptionValueSource(attributeName(name)) === 'default',
  }
  const failMissing = (name: string): never => {
    throw new StateError(`option --${name} of '${command.name()}' has no value`)
  }
  return values
}
