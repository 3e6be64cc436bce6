import { Encoder } from 'cbor-x'
import { z } from 'zod'
import { makeParameter, parametersHash } from '../analysis/parameters.js'
import { BeamloomError, ProtocolError, StateError } from '../errors.js'
import { ParameterName } from '../protocol/ids.js'
import { StreamField } from '../protocol/stream-field.js'
import type { ControlPlane, ControlValue, StreamEntryId } from './control-plane.js'
import { followStream } from './follow-stream.js'
import { parseJson } from './parse-json.js'

/** Entries kept in the parameter change feed (the version history). */
export const PARAMETER_HISTORY_MAX_LEN = 10_000
const MAX_CAS_ATTEMPTS = 50

/** The stored parameter set (CBOR under `keys.parameters()`, no TTL). */
const StoredParameters = z.object({
  version: z.number().int().nonnegative(),
  hash: z.string(),
  updatedAt: z.number(),
  entries: z.array(z.tuple([ParameterName, z.instanceof(Uint8Array)])),
})

/** One entry of the change feed: which names a version changed, and the resulting hash. */
export const ParameterChange = z.object({
  version: z.number().int().positive(),
  names: z.array(ParameterName),
  hash: z.string(),
  /** Epoch milliseconds. */
  time: z.number(),
})
export type ParameterChange = z.infer<typeof ParameterChange>

/** A change as read from the feed, with its stream id (to follow on from). */
export interface ParameterChangeEntry extends ParameterChange {
  readonly id: StreamEntryId
}

/** The current parameter set. Version 0 is the empty set before anything was set. */
export interface ParameterSnapshot {
  readonly version: number
  /** SHA-256 hex over the sorted (name, bytes): `parametersHash` of the same values. */
  readonly hash: string
  readonly values: ReadonlyMap<ParameterName, Uint8Array>
  readonly updatedAt: number
}

/**
 * Parameter values as raw bytes, versioned and hashed, persistent (no TTL), with a change feed.
 * Every `set` makes one new version atomically (compare-and-swap), so concurrent writers never
 * lose an update; the feed entry follows the new version (a writer that dies in between leaves
 * a gap, which followers see as a jump in `version`).
 */
export interface ParameterStore {
  /** Set one value; resolves the new version and hash. */
  set(name: ParameterName, value: ControlValue): Promise<{ version: number; hash: string }>
  /** Set several values as one version. */
  setMany(
    values: ReadonlyMap<ParameterName, ControlValue>,
  ): Promise<{ version: number; hash: string }>
  /** The current set. @throws ProtocolError `PROTOCOL_INVALID` when the stored set is corrupt. */
  getAll(): Promise<ParameterSnapshot>
  /** Versions newest last (at most `count`, default all kept). */
  history(count?: number): Promise<ParameterChangeEntry[]>
  /** Follow the change feed (from now, or after `after`) until `signal` aborts. */
  changes(opts: {
    signal: AbortSignal
    after?: StreamEntryId
  }): AsyncGenerator<ParameterChangeEntry, void, undefined>
}

const cbor = new Encoder({ useRecords: false, tagUint8Array: false })
const EMPTY = { version: 0, hash: hashOf([]), updatedAt: 0, entries: [] }

/** The hash of a parameter set, identical to the analysis side's `parametersHash`. */
function hashOf(entries: readonly (readonly [string, Uint8Array])[]): string {
  return parametersHash(
    Object.fromEntries(entries.map(([name, data]) => [name, makeParameter(name, data, undefined)])),
  )
}

/** Create the parameter store facade over a plane (no I/O until used). */
export function createParameterStore(plane: ControlPlane): ParameterStore {
  const key = plane.keys.parameters()
  const feed = plane.keys.parameterChanges()

  const load = async (): Promise<{
    raw: Uint8Array | undefined
    stored: typeof EMPTY | z.infer<typeof StoredParameters>
  }> => {
    const raw = await plane.get(key)
    if (raw === undefined) return { raw, stored: EMPTY }
    const parsed = StoredParameters.safeParse(decode(raw))
    if (!parsed.success)
      throw new ProtocolError(`stored parameters are corrupt: ${parsed.error.message}`)
    return { raw, stored: parsed.data }
  }

  const toEntry = (
    id: StreamEntryId,
    bytes: Uint8Array | undefined,
  ): ParameterChangeEntry | undefined => {
    const parsed = ParameterChange.safeParse(parseJson(bytes))
    return parsed.success ? { id, ...parsed.data } : undefined
  }

  const setMany: ParameterStore['setMany'] = async (values) => {
    if (values.size === 0) throw new BeamloomError('PARAMETER_INVALID', 'no parameter to set')
    const changed = new Map([...values].map(([n, v]) => [checkName(n), toBytes(v)]))
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { raw, stored } = await load()
      const merged = new Map<ParameterName, Uint8Array>(stored.entries)
      for (const [name, bytes] of changed) merged.set(name, bytes)
      const entries = [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      const next = {
        version: stored.version + 1,
        hash: hashOf(entries),
        updatedAt: Date.now(),
        entries,
      }
      if (await plane.compareAndSwap(key, raw, cbor.encode(next))) {
        const change: ParameterChange = {
          version: next.version,
          names: [...changed.keys()],
          hash: next.hash,
          time: next.updatedAt,
        }
        await plane.xadd(
          feed,
          { [StreamField.message]: JSON.stringify(change) },
          { maxLen: PARAMETER_HISTORY_MAX_LEN },
        )
        return { version: next.version, hash: next.hash }
      }
    }
    throw new StateError(`parameters changed concurrently ${MAX_CAS_ATTEMPTS} times; gave up`)
  }

  return {
    set: (name, value) => setMany(new Map([[name, value]])),
    setMany,
    getAll: async () => {
      const { stored } = await load()
      return {
        version: stored.version,
        hash: stored.hash,
        values: new Map(stored.entries),
        updatedAt: stored.updatedAt,
      }
    },
    history: async (count) => {
      const entries = await plane.xrevrange(feed, count === undefined ? {} : { count })
      return entries
        .reverse()
        .flatMap((e) => toEntry(e.id, e.fields.get(StreamField.message)) ?? [])
    },
    changes: async function* (opts) {
      for await (const e of followStream(plane, feed, opts)) {
        const entry = toEntry(e.id, e.fields.get(StreamField.message))
        if (entry) yield entry
      }
    },
  }
}

function toBytes(value: ControlValue): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value
}

function decode(raw: Uint8Array): unknown {
  try {
    return cbor.decode(raw)
  } catch {
    // Undecodable bytes are reported as corrupt by the schema check that follows.
    return undefined
  }
}

function checkName(name: string): ParameterName {
  const parsed = ParameterName.safeParse(name)
  if (!parsed.success)
    throw new BeamloomError('PARAMETER_INVALID', `invalid parameter name '${name}'`)
  return parsed.data
}
