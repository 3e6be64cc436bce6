/** The outcome of {@link selectPublishPath}. */
export type PublishSelection =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly missing: string }

/**
 * The sub-tree of a reducer's `publish` at a slash-separated path (`map/intensity/3`): object
 * keys, `Map` keys, and integer indices into arrays and typed arrays. Empty segments (leading,
 * trailing or doubled slashes) are ignored, so `''` and `'/'` select the whole tree. Pure.
 *
 * Returns the value, or the path prefix that does not exist.
 */
export function selectPublishPath(publish: unknown, path: string): PublishSelection {
  const segments = path.split('/').filter((s) => s.length > 0)
  let node = publish
  for (let i = 0; i < segments.length; i++) {
    const next = child(node, segments[i]!)
    if (next === MISSING) return { found: false, missing: segments.slice(0, i + 1).join('/') }
    node = next
  }
  return { found: true, value: node }
}

const MISSING: unique symbol = Symbol('missing')

function child(node: unknown, key: string): unknown {
  if (node === null || typeof node !== 'object') return MISSING
  if (node instanceof Map) return node.has(key) ? node.get(key) : MISSING
  if (Array.isArray(node) || (ArrayBuffer.isView(node) && !(node instanceof DataView))) {
    if (!/^\d+$/.test(key)) return MISSING
    const index = Number(key)
    const list = node as unknown as ArrayLike<unknown>
    return index < list.length ? list[index] : MISSING
  }
  if (ArrayBuffer.isView(node) || node instanceof Date) return MISSING
  if (!Object.hasOwn(node, key)) return MISSING
  const value = (node as Record<string, unknown>)[key]
  return value === undefined || typeof value === 'function' ? MISSING : value
}
