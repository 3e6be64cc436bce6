import { z } from 'zod'
import { EnvRead } from './env-setting.js'

/** A zod schema's definition, as far as {@link envReaderOf} looks into it. */
interface Def {
  readonly type: string
  readonly innerType?: z.ZodType
  readonly in?: z.ZodType
  readonly shape?: Readonly<Record<string, z.ZodType>>
  readonly entries?: Readonly<Record<string, unknown>>
  readonly values?: readonly unknown[]
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as Def

/** Wrappers whose inner schema says what the option is. */
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'])

/** `schema` with defaults, optionals, nullables, readonly, catch and pipes (input side) looked through. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema
  for (;;) {
    const def = defOf(current)
    const next = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined
    if (next === undefined) return current
    current = next
  }
}

const TEXT = z.string()
const allStrings = (values: readonly unknown[]) => values.every((v) => typeof v === 'string')

/**
 * How env text becomes the input of an option whose typed schema is `schema` (pure), when the
 * schema says it: a number is read as `Number(text)` ({@link EnvRead.number}), a boolean as
 * `true`/`1`/`false`/`0` ({@link EnvRead.flag}), text (a string, an enum or literal of strings)
 * as it is. Defaults, optionals, nullables, `readonly`, `catch` and pipes (their input side) are
 * looked through. `undefined` for what has no one reading from text (a list: comma separated?
 * empty entries dropped or refused? — an object, a union): its setting names a reader.
 */
export function envReaderOf(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(unwrap(schema))
  switch (def.type) {
    case 'number':
      return EnvRead.number
    case 'boolean':
      return EnvRead.flag
    case 'string':
    case 'template_literal':
      return TEXT
    case 'enum':
      return allStrings(Object.values(def.entries ?? {})) ? TEXT : undefined
    case 'literal':
      return allStrings(def.values ?? []) ? TEXT : undefined
    default:
      return undefined
  }
}

/**
 * The options of a role's typed config schema (pure): the shape of the object it parses,
 * looked through pipes (a transformed object: its input side) and wrappers; `undefined` when
 * the schema is not an object.
 */
export function optionSchemas(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  return defOf(unwrap(schema)).shape
}
