/** What an HDF5-REST id names: a group or a dataset, by its path in `publish`. */
export interface H5Ref {
  readonly collection: 'groups' | 'datasets'
  /** Path segments from the root (`[]` for the root group). */
  readonly path: readonly string[]
}

const PREFIX = { groups: 'g-h5dict-', datasets: 'd-h5dict-' } as const
const ID = /^([gd])-h5dict-((?:[0-9A-Fa-f]{2})+)$/

/**
 * The id of the group or dataset at `path`, as Dranspose makes it: `g-h5dict-` or `d-h5dict-`
 * followed by the upper-case hex of the UTF-8 of `/` + the segments joined by `/` (the root
 * group is `g-h5dict-2F`). Pure.
 */
export function h5Id(collection: H5Ref['collection'], path: readonly string[]): string {
  const text = `/${path.join('/')}`
  return PREFIX[collection] + Buffer.from(text, 'utf8').toString('hex').toUpperCase()
}

/**
 * Parse an id made by {@link h5Id} (hex in either case); `undefined` for anything else. Empty
 * path segments are dropped, so `/a//b` and `/a/b` name the same object. Pure.
 */
export function parseH5Id(id: string): H5Ref | undefined {
  const m = ID.exec(id)
  if (m === null) return undefined
  const text = Buffer.from(m[2] ?? '', 'hex').toString('utf8')
  if (!text.startsWith('/')) return undefined
  return {
    collection: m[1] === 'g' ? 'groups' : 'datasets',
    path: text.split('/').filter((s) => s.length > 0),
  }
}
