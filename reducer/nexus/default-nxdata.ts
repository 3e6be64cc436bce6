/**
 * The member of `publish` a NeXus reader should open first (the entry's `default`): the first
 * top-level group whose attributes say `NX_class: NXdata` and whose `signal` names one of its
 * members, else the first `NXdata` group at all, else `undefined`. Pure; reads attributes only.
 */
export function defaultNxdata(publish: unknown): string | undefined {
  let fallback: string | undefined
  for (const [name, value] of entriesOf(publish)) {
    if (name.endsWith('_attrs') || !isGroup(value)) continue
    const attrs = new Map(entriesOf(member(publish, `${name}_attrs`)))
    if (attrs.get('NX_class') !== 'NXdata') continue
    const signal = attrs.get('signal')
    if (typeof signal === 'string' && member(value, signal) !== undefined) return name
    fallback ??= name
  }
  return fallback
}

/** The `[key, value]` pairs of a plain object or Map; none for anything else. */
export function entriesOf(value: unknown): [string, unknown][] {
  if (value instanceof Map) return [...value].map(([k, v]) => [String(k), v])
  if (!isGroup(value)) return []
  return Object.entries(value as Record<string, unknown>)
}

/** Member `name` of a plain object or Map. */
export function member(group: unknown, name: string): unknown {
  if (group instanceof Map) {
    for (const [k, v] of group) if (String(k) === name) return v
    return undefined
  }
  if (!isGroup(group)) return undefined
  return Object.hasOwn(group as object, name) ? (group as Record<string, unknown>)[name] : undefined
}

function isGroup(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Date)
  )
}
