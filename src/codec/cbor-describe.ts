import { Tag } from 'cbor-x'

/** A short description of a decoded CBOR value for error messages. */
export function describeCborValue(value: unknown): string {
  if (value instanceof Tag) return `tag ${value.tag}`
  if (value instanceof Uint8Array) return `a byte string of ${value.byteLength} bytes`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value instanceof Map) return `a map of ${value.size}`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : 'a date'
  if (value === null) return 'null'
  if (typeof value === 'string') return `the text string '${value.slice(0, 40)}'`
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${value}`
  return typeof value
}
