import { createHash } from 'node:crypto'
import { z } from 'zod'
import { formatIssues } from '../config/format-issues.js'
import { BeamloomError } from '../errors.js'

const base = {
  name: z.string().min(1),
  description: z.string().optional(),
}

/**
 * A parameter an analysis reads, as its module's `describeParameters()` returns it.
 * Same dtypes and byte conventions as Dranspose, so values set through either system mean
 * the same: values travel as UTF-8 text (`binary` as raw bytes).
 */
export const ParameterDescription = z.discriminatedUnion('dtype', [
  z.strictObject({ ...base, dtype: z.literal('str'), default: z.string().default('') }),
  z.strictObject({
    ...base,
    dtype: z.literal('int'),
    default: z.number().int().default(0),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.strictObject({
    ...base,
    dtype: z.literal('float'),
    default: z.number().default(0),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.strictObject({ ...base, dtype: z.literal('bool'), default: z.boolean().default(false) }),
  z.strictObject({
    ...base,
    dtype: z.literal('binary'),
    default: z
      .union([z.instanceof(Uint8Array), z.string()])
      .default('')
      .transform((v) => (typeof v === 'string' ? new TextEncoder().encode(v) : v)),
  }),
])
export type ParameterDescription = z.output<typeof ParameterDescription>
/** What a module may write in `describeParameters()` (defaults optional). */
export type ParameterDescriptionInput = z.input<typeof ParameterDescription>

/** The value kinds a parameter can hold. */
export type ParameterValue = string | number | boolean | Uint8Array

/** One parameter as analyses see it: its raw bytes and, where described, its typed value. */
export interface WorkParameter {
  readonly name: string
  /** Raw bytes as set (UTF-8 text for every dtype but `binary`). */
  readonly data: Uint8Array
  /** Typed value; for an undescribed parameter, the bytes decoded as UTF-8 text. */
  readonly value: ParameterValue
  /** Its described dtype; absent for a parameter no module describes. */
  readonly dtype?: ParameterDescription['dtype']
}

/** The parameters passed to `processEvent`, `processResult`, `timer` and `finish`, by name. */
export type Parameters = Readonly<Record<string, WorkParameter>>

const utf8 = new TextDecoder('utf-8', { fatal: true })
const INT_TEXT = /^\s*[+-]?\d+\s*$/
const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)\s*$/i

function invalid(desc: ParameterDescription, why: string, cause?: unknown): BeamloomError {
  return new BeamloomError(
    'PARAMETER_INVALID',
    `parameter '${desc.name}' (${desc.dtype}): ${why}`,
    {
      cause,
    },
  )
}

function decodeText(desc: ParameterDescription, data: Uint8Array): string {
  try {
    return utf8.decode(data)
  } catch (cause) {
    throw invalid(desc, 'value is not valid UTF-8 text', cause)
  }
}

function checkRange(desc: ParameterDescription, value: number): number {
  if ((desc.dtype === 'int' || desc.dtype === 'float') && !Number.isNaN(value)) {
    if (desc.min !== undefined && value < desc.min)
      throw invalid(desc, `${value} < min ${desc.min}`)
    if (desc.max !== undefined && value > desc.max)
      throw invalid(desc, `${value} > max ${desc.max}`)
  }
  return value
}

/**
 * Turn raw bytes into the typed value of a described parameter.
 * Text forms follow Python's (`int("12")`, `float("1e3")`, `True`/`False`), and also accept
 * `true`/`false`/`1`/`0` for booleans.
 * @throws BeamloomError `PARAMETER_INVALID` when the bytes do not parse as the dtype.
 */
export function parseParameterValue(desc: ParameterDescription, data: Uint8Array): ParameterValue {
  switch (desc.dtype) {
    case 'binary':
      return data
    case 'str':
      return decodeText(desc, data)
    case 'int': {
      const text = decodeText(desc, data)
      if (!INT_TEXT.test(text)) throw invalid(desc, `'${text}' is not an integer`)
      const value = Number.parseInt(text, 10)
      if (!Number.isSafeInteger(value)) throw invalid(desc, `'${text}' is out of range`)
      return checkRange(desc, value)
    }
    case 'float': {
      const text = decodeText(desc, data).trim()
      if (!FLOAT_TEXT.test(text)) throw invalid(desc, `'${text}' is not a number`)
      const lower = text.toLowerCase().replace(/^\+/, '')
      const value =
        lower.endsWith('inf') || lower.endsWith('infinity')
          ? lower.startsWith('-')
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY
          : Number(text)
      return checkRange(desc, value)
    }
    case 'bool': {
      const text = decodeText(desc, data).trim()
      if (text === 'True' || text === 'true' || text === '1') return true
      if (text === 'False' || text === 'false' || text === '0') return false
      throw invalid(desc, `'${text}' is not a boolean (True/False)`)
    }
  }
}

/** Bytes for a typed value, as Dranspose writes them (`str(value)`; booleans `True`/`False`). */
export function encodeParameterValue(value: ParameterValue): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'boolean') return new TextEncoder().encode(value ? 'True' : 'False')
  // String(-0) is "0": keep the sign, as Python's str(-0.0) does.
  if (Object.is(value, -0)) return new TextEncoder().encode('-0.0')
  return new TextEncoder().encode(String(value))
}

/**
 * Validate what a module's `describeParameters()` returned.
 * @throws BeamloomError `MODULE_INVALID` naming the module and the offending entry.
 */
export function parseParameterDescriptions(raw: unknown, module: string): ParameterDescription[] {
  const parsed = z.array(ParameterDescription).safeParse(raw)
  if (!parsed.success) {
    const issues = formatIssues(parsed.error)
    throw new BeamloomError('MODULE_INVALID', `${module}: describeParameters(): ${issues}`)
  }
  return parsed.data
}

/**
 * Merge parameter descriptions of several modules. A name described twice must agree on dtype.
 * @throws BeamloomError `MODULE_INVALID` on a dtype conflict.
 */
export function mergeDescriptions(
  lists: readonly (readonly ParameterDescription[])[],
): Map<string, ParameterDescription> {
  const merged = new Map<string, ParameterDescription>()
  for (const list of lists) {
    for (const desc of list) {
      const prev = merged.get(desc.name)
      if (prev && prev.dtype !== desc.dtype) {
        throw new BeamloomError(
          'MODULE_INVALID',
          `parameter '${desc.name}' is described as ${prev.dtype} and as ${desc.dtype}`,
        )
      }
      if (!prev) merged.set(desc.name, desc)
    }
  }
  return merged
}

/** Build one parameter from raw bytes, typed by its description when there is one. */
export function makeParameter(
  name: string,
  data: Uint8Array,
  desc: ParameterDescription | undefined,
): WorkParameter {
  if (desc) return { name, data, value: parseParameterValue(desc, data), dtype: desc.dtype }
  return { name, data, value: new TextDecoder().decode(data) }
}

/**
 * The full parameter set: every described parameter (set value or default) plus any set value
 * without a description.
 * @throws BeamloomError `PARAMETER_INVALID` when a set value does not parse.
 */
export function resolveParameters(
  descriptions: ReadonlyMap<string, ParameterDescription>,
  setValues: ReadonlyMap<string, Uint8Array>,
): Parameters {
  const out: Record<string, WorkParameter> = {}
  for (const [name, desc] of descriptions) {
    const data = setValues.get(name) ?? encodeParameterValue(desc.default)
    out[name] = makeParameter(name, data, desc)
  }
  for (const [name, data] of setValues) {
    if (!descriptions.has(name)) out[name] = makeParameter(name, data, undefined)
  }
  return Object.freeze(out)
}

/** SHA-256 (hex) over the sorted names and raw bytes: equal parameter sets hash equally. */
export function parametersHash(parameters: Parameters): string {
  const hash = createHash('sha256')
  for (const name of Object.keys(parameters).sort()) {
    const p = parameters[name]
    if (!p) continue
    const nameBytes = Buffer.from(name, 'utf8')
    const header = Buffer.alloc(8)
    header.writeUInt32BE(nameBytes.length, 0)
    header.writeUInt32BE(p.data.length, 4)
    hash.update(header).update(nameBytes).update(p.data)
  }
  return hash.digest('hex')
}
