/** One dimension of a hyperslab: elements `start, start+step, …` below `stop`; `count` of them. */
export interface DimSelection {
  readonly start: number
  readonly stop: number
  readonly step: number
  readonly count: number
}

/** The outcome of {@link parseSelection}: the dimensions, or why the text is not a selection. */
export type SelectionResult =
  | { readonly ok: true; readonly dims: readonly DimSelection[] }
  | { readonly ok: false; readonly message: string }

const INT = /^[+-]?\d+$/

/**
 * Parse an HDF5-REST `select` value against a dataset's dims. Pure.
 *
 * `[a:b:s, c:d, i, :]` (brackets optional, spaces ignored): one entry per dimension, each a
 * slice `start:stop[:step]` with Python semantics (empty parts mean the whole extent, negative
 * indices count from the end, bounds are clipped to the extent, as Dranspose's numpy slicing
 * does), a single index `i` (that one element, the dimension kept with length 1, as HSDS
 * does), or `:`. Missing trailing dimensions are whole. No value, `''` or `[]` selects
 * everything. Errors (as messages for a 400): more entries than dimensions, a selection on a
 * scalar, non-integers, a step that is not positive, an index out of range.
 */
export function parseSelection(text: string | undefined, dims: readonly number[]): SelectionResult {
  const whole = dims.map((n) => ({ start: 0, stop: n, step: 1, count: n }))
  const body = (text ?? '').replace(/\s+/g, '')
  const inner = body.startsWith('[') && body.endsWith(']') ? body.slice(1, -1) : body
  if (inner === '') return { ok: true, dims: whole }
  if (body.includes('[') !== body.startsWith('[') || /[[\]]/.test(inner)) {
    return { ok: false, message: `select '${text}': expected [start:stop:step, …]` }
  }
  if (dims.length === 0) {
    return { ok: false, message: `select '${text}': the dataset is a scalar, it has no dimensions` }
  }
  const parts = inner.split(',')
  if (parts.length > dims.length) {
    return {
      ok: false,
      message: `select '${text}': ${parts.length} dimensions given, the dataset has ${dims.length}`,
    }
  }
  const out: DimSelection[] = []
  for (let d = 0; d < dims.length; d++) {
    const part = parts[d]
    const extent = dims[d] ?? 0
    if (part === undefined) {
      out.push({ start: 0, stop: extent, step: 1, count: extent })
      continue
    }
    const dim = parseDim(part, extent)
    if (typeof dim === 'string')
      return { ok: false, message: `select '${text}', dimension ${d}: ${dim}` }
    out.push(dim)
  }
  return { ok: true, dims: out }
}

function parseDim(part: string, extent: number): DimSelection | string {
  const fields = part.split(':')
  if (fields.length === 1) {
    const t = fields[0] ?? ''
    if (!INT.test(t)) return `'${part}' is not an index or a start:stop:step slice`
    const raw = Number(t)
    const i = raw < 0 ? raw + extent : raw
    if (i < 0 || i >= extent) return `index ${raw} is out of range for extent ${extent}`
    return { start: i, stop: i + 1, step: 1, count: 1 }
  }
  if (fields.length > 3) return `'${part}' has more than start:stop:step`
  const [a = '', b = '', s = ''] = fields
  for (const f of [a, b, s]) {
    if (f !== '' && !INT.test(f)) return `'${f}' is not an integer`
  }
  const step = s === '' ? 1 : Number(s)
  if (step <= 0) return `step ${step} must be positive`
  const start = clip(a === '' ? 0 : Number(a), extent)
  const stop = clip(b === '' ? extent : Number(b), extent)
  const count = stop > start ? Math.ceil((stop - start) / step) : 0
  return { start, stop: Math.max(start, stop), step, count }
}

function clip(i: number, extent: number): number {
  const j = i < 0 ? i + extent : i
  return Math.min(Math.max(j, 0), extent)
}
