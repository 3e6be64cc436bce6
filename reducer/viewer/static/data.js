// Numbers out of what the reducer serves (CBOR decoded by cbor-x): typed arrays of any type
// (bigint ones too), lists of numbers (null: not measured), rows of those. Pure.

/** A 1-D numeric value as a Float64Array (null and non-numbers as NaN); else undefined. */
export function toNumbers(value) {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    if (value instanceof Float64Array) return value
    return Float64Array.from(value, Number)
  }
  if (!Array.isArray(value) || value.length === 0) return undefined
  const out = new Float64Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const v = value[i]
    if (typeof v === 'number') out[i] = v
    else if (typeof v === 'bigint') out[i] = Number(v)
    else if (v === null) out[i] = Number.NaN
    else return undefined
  }
  return out
}

/** 2-D numeric data (equal rows) as `{rows, cols, data}` (row-major Float64Array); else undefined. */
export function toImage(value) {
  if (!Array.isArray(value) || value.length === 0) return undefined
  const first = toNumbers(value[0])
  if (first === undefined || first.length === 0) return undefined
  const rows = value.length
  const cols = first.length
  const data = new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    const row = r === 0 ? first : toNumbers(value[r])
    if (row === undefined || row.length !== cols) return undefined
    data.set(row, r * cols)
  }
  return { rows, cols, data }
}

/** The finite minimum and maximum (only values > 0 when `positive`); undefined when none. */
export function finiteRange(data, positive = false) {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const v of data) {
    if (!Number.isFinite(v) || (positive && v <= 0)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  return min <= max ? { min, max } : undefined
}
