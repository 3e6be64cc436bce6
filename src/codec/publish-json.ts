/**
 * Turn a reducer's `publish` tree into plain JSON data: typed arrays become number arrays,
 * Maps become objects, Dates ISO strings, BigInts numbers (strings when not exactly
 * representable), and non-finite numbers `null` (JSON has no NaN).
 */
export function toJsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
    case 'string':
    case 'boolean':
      return value
    case 'undefined':
    case 'function':
    case 'symbol':
      return null
    default:
      break
  }
  if (value === null) return null
  if (value instanceof Date) return value.toISOString()
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView)
      return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    const out: unknown[] = []
    for (const v of value as unknown as Iterable<number | bigint>) out.push(toJsonValue(v))
    return out
  }
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (value instanceof Map) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of value) out[String(k)] = toJsonValue(v)
    return out
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as object)) {
    if (v === undefined || typeof v === 'function') continue
    out[k] = toJsonValue(v)
  }
  return out
}
