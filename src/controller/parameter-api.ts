import {
  encodeParameterValue,
  ParameterDescription,
  parseParameterValue,
} from '../analysis/parameters.js'
import type { ParameterStore } from '../control/parameter-store.js'
import type { ProcessInfo } from '../control/process-info.js'
import type { ProcessRegistry } from '../control/process-registry.js'
import { BeamloomError } from '../errors.js'
import { ParameterName } from '../protocol/ids.js'

/** A parameter description in JSON form (`binary` defaults as base64), as `/parameters` serves it. */
export interface ParameterDescriptionJson {
  readonly name: string
  readonly dtype: ParameterDescription['dtype']
  readonly default: string | number | boolean
  readonly description?: string
  readonly min?: number
  readonly max?: number
}

/** What setting a parameter returns. */
export interface ParameterSetResult {
  readonly version: number
  /** `parametersHash` of the values as set: the hash every result carries. */
  readonly hash: string
  /** Hash of the stored values alone (what the change feed carries). */
  readonly storeHash: string
}

/**
 * The controller's view of parameters: descriptions merged from the live workers' and reducer's
 * `ProcessInfo.parameters`, values in the {@link ParameterStore} (versioned, persistent).
 */
export interface ParameterApi {
  /** Merged live descriptions, sorted by name; the first description of a name wins. */
  describe(): Promise<ParameterDescription[]>
  /**
   * Validate `bytes` against the live description (if any) and store them.
   * @throws BeamloomError `PARAMETER_INVALID` for a bad name, bytes that do not parse, or a name
   * no live process describes (unless `allowUndescribed`).
   */
  set(name: string, bytes: Uint8Array): Promise<ParameterSetResult>
  /** The set bytes, else the live default, else `undefined`. */
  get(name: string): Promise<Uint8Array | undefined>
  /** Version and hashes of the current set. */
  current(): Promise<{ version: number; hash: string; storeHash: string }>
}

/** Options of {@link createParameterApi}. */
export interface ParameterApiOptions {
  /**
   * Accept values for names no live worker or reducer describes (stored unchecked); default
   * false: such a name is refused, so a typo or a stranger cannot push arbitrary values to every
   * process (`CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS`).
   */
  readonly allowUndescribed?: boolean
}

/** Create the facade (no I/O until used). `onInvalid` hears of descriptions that do not parse. */
export function createParameterApi(
  registry: ProcessRegistry,
  store: ParameterStore,
  onInvalid: (process: string, message: string) => void = () => {},
  options: ParameterApiOptions = {},
): ParameterApi {
  const describeMap = async (): Promise<Map<string, ParameterDescription>> => {
    const processes = [...(await registry.list('worker')), ...(await registry.list('reducer'))]
    const merged = new Map<string, ParameterDescription>()
    for (const p of processes) {
      for (const d of descriptionsOf(p, onInvalid)) if (!merged.has(d.name)) merged.set(d.name, d)
    }
    return merged
  }
  return {
    describe: async () => [...(await describeMap()).values()].sort((a, b) => cmp(a.name, b.name)),
    set: async (name, bytes) => {
      const parsedName = ParameterName.safeParse(name)
      if (!parsedName.success) {
        throw new BeamloomError('PARAMETER_INVALID', `invalid parameter name '${name}'`)
      }
      const desc = (await describeMap()).get(name)
      if (desc !== undefined) parseParameterValue(desc, bytes)
      else if (options.allowUndescribed !== true) {
        throw new BeamloomError(
          'PARAMETER_INVALID',
          `no live worker or reducer describes a parameter '${name}' (set CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS=true to store it anyway)`,
        )
      }
      // The hash results carry: of the values as set, so every process computes the same.
      const { version, hash } = await store.set(parsedName.data, bytes)
      return { version, hash, storeHash: hash }
    },
    get: async (name) => {
      const snapshot = await store.getAll()
      const set = snapshot.values.get(name as ParameterName)
      if (set !== undefined) return set
      const desc = (await describeMap()).get(name)
      return desc === undefined ? undefined : encodeParameterValue(desc.default)
    },
    current: async () => {
      const snapshot = await store.getAll()
      return {
        version: snapshot.version,
        hash: snapshot.hash,
        storeHash: snapshot.hash,
      }
    },
  }
}

/** The JSON form of a description (`binary` default as base64). */
export function descriptionToJson(d: ParameterDescription): ParameterDescriptionJson {
  const base = {
    name: d.name,
    dtype: d.dtype,
    ...(d.description === undefined ? {} : { description: d.description }),
  }
  switch (d.dtype) {
    case 'binary':
      return { ...base, default: Buffer.from(d.default).toString('base64') }
    case 'int':
    case 'float':
      return {
        ...base,
        default: d.default,
        ...(d.min === undefined ? {} : { min: d.min }),
        ...(d.max === undefined ? {} : { max: d.max }),
      }
    default:
      return { ...base, default: d.default }
  }
}

/** Descriptions a process published; binary defaults arrive as base64 text. */
function descriptionsOf(
  p: ProcessInfo,
  onInvalid: (process: string, message: string) => void,
): ParameterDescription[] {
  const out: ParameterDescription[] = []
  for (const raw of p.parameters ?? []) {
    const json =
      isRecord(raw) && raw.dtype === 'binary' && typeof raw.default === 'string'
        ? { ...raw, default: new Uint8Array(Buffer.from(raw.default, 'base64')) }
        : raw
    const parsed = ParameterDescription.safeParse(json)
    if (parsed.success) out.push(parsed.data)
    else onInvalid(`${p.role} '${p.name}'`, parsed.error.message)
  }
  return out
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
