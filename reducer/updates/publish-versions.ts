/** What changed in `publish` since the last {@link PublishVersions.update}. */
export interface PublishChange {
  /** Top-level paths whose value changed (or may have: objects are compared by dirtiness). */
  readonly changed: readonly string[]
  /** Top-level paths that are gone. */
  readonly removed: readonly string[]
}

interface Entry {
  value: unknown
  version: number
}

/**
 * A version counter per top-level path of a reducer's `publish`, bumped when that path
 * changes. The check is cheap and conservative: after the reducer ran (`dirty`), a primitive
 * value (number, string, boolean, null) counts as changed only when it differs from the last
 * one seen; an object or array counts as changed whenever the reducer ran, because user code
 * mutates them in place (a typed array written at one index is the same object). A new
 * `publish` object (a new scan) marks every path changed. Pure, no I/O.
 */
export class PublishVersions {
  #root: unknown = undefined
  #started = false
  readonly #entries = new Map<string, Entry>()

  /** The top-level paths as of the last update, in `publish`'s key order. */
  get paths(): string[] {
    return [...this.#entries.keys()]
  }

  /** Version of each top-level path (starts at 1, +1 per change). */
  versions(): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [key, entry] of this.#entries) out[key] = entry.version
    return out
  }

  /**
   * Compare `publish` with what was seen last. With `dirty` false and the same root object,
   * nothing is examined and nothing changes (the reducer did not run in between).
   */
  update(publish: unknown, dirty: boolean): PublishChange {
    const replaced = !this.#started || publish !== this.#root
    if (!dirty && !replaced) return { changed: [], removed: [] }
    this.#started = true
    this.#root = publish
    const changed: string[] = []
    const seen = new Set<string>()
    for (const [key, value] of topLevel(publish)) {
      seen.add(key)
      const entry = this.#entries.get(key)
      if (entry === undefined) {
        this.#entries.set(key, { value, version: 1 })
        changed.push(key)
      } else if (replaced || isObject(value) || !Object.is(entry.value, value)) {
        entry.value = value
        entry.version++
        changed.push(key)
      }
    }
    const removed: string[] = []
    for (const key of this.#entries.keys()) {
      if (!seen.has(key)) removed.push(key)
    }
    for (const key of removed) this.#entries.delete(key)
    return { changed, removed }
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null
}

/** The top-level `[key, value]` pairs of a publish tree: object keys or Map keys. */
function* topLevel(publish: unknown): Generator<[string, unknown]> {
  if (publish instanceof Map) {
    for (const [key, value] of publish) yield [String(key), value]
    return
  }
  if (!isObject(publish) || Array.isArray(publish) || ArrayBuffer.isView(publish)) return
  for (const key of Object.keys(publish as object)) {
    const value = (publish as Record<string, unknown>)[key]
    if (value !== undefined && typeof value !== 'function') yield [key, value]
  }
}
