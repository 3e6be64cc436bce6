/**
 * A small HDF5-REST client written from the HSDS API description (docs of HDFGroup's
 * hdf-rest-api), doing what h5pyd does to read a domain: `GET /` for the root id, links to walk
 * paths, `GET /datasets/{id}` for type and shape, `GET …/value?select=` with
 * `Accept: application/octet-stream` for fixed-size types (JSON for strings), attributes by
 * name. It knows nothing of beamloom's code: it decodes what the server says.
 */

type Json = Record<string, unknown>

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
}

/**
 * Parse a JSON body as Python's `json` (h5pyd's) does: the bare tokens `NaN`, `Infinity` and
 * `-Infinity` (what HSDS writes for non-finite floats) are numbers. Strings are left alone.
 */
export function parsePythonJson(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) =>
    token.startsWith('"') ? token : `{"$nonFinite":"${token}"}`,
  )
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
    const token = (value as Record<string, unknown>).$nonFinite
    return typeof token === 'string' ? NON_FINITE[token] : value
  })
}

/** A decoded HDF5 type: numpy-like name and bytes per element (0 for variable strings). */
export interface ClientType {
  readonly name: string
  readonly bytes: number
}

const NUMERIC: Readonly<Record<string, ClientType>> = {
  H5T_STD_U8LE: { name: 'uint8', bytes: 1 },
  H5T_STD_I8LE: { name: 'int8', bytes: 1 },
  H5T_STD_U16LE: { name: 'uint16', bytes: 2 },
  H5T_STD_I16LE: { name: 'int16', bytes: 2 },
  H5T_STD_U32LE: { name: 'uint32', bytes: 4 },
  H5T_STD_I32LE: { name: 'int32', bytes: 4 },
  H5T_STD_U64LE: { name: 'uint64', bytes: 8 },
  H5T_STD_I64LE: { name: 'int64', bytes: 8 },
  H5T_IEEE_F32LE: { name: 'float32', bytes: 4 },
  H5T_IEEE_F64LE: { name: 'float64', bytes: 8 },
}

/** Decode an HSDS type description (integers, floats, variable strings, h5py's bool enum). */
export function decodeType(type: unknown): ClientType {
  const t = type as Json
  if (t.class === 'H5T_STRING' && t.length === 'H5T_VARIABLE') return { name: 'string', bytes: 0 }
  if (t.class === 'H5T_ENUM') {
    const mapping = t.mapping as Json
    const base = (t.base as Json).base
    if (mapping.FALSE === 0 && mapping.TRUE === 1 && base === 'H5T_STD_I8LE') {
      return { name: 'bool', bytes: 1 }
    }
  }
  if (t.class === 'H5T_INTEGER' || t.class === 'H5T_FLOAT') {
    const known = NUMERIC[String(t.base)]
    if (known) return known
  }
  throw new Error(`client: unsupported type ${JSON.stringify(type)}`)
}

/** Elements read from a dataset: flat, row-major, with their dims. */
export interface ClientValues {
  readonly dims: number[]
  readonly values: (number | bigint | boolean | string)[]
}

function fromBytes(bytes: Uint8Array, type: ClientType): (number | bigint | boolean)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = bytes.byteLength / type.bytes
  if (!Number.isInteger(n))
    throw new Error(`client: ${bytes.byteLength} bytes is not whole ${type.name}s`)
  const out: (number | bigint | boolean)[] = []
  for (let i = 0; i < n; i++) {
    const o = i * type.bytes
    switch (type.name) {
      case 'uint8':
        out.push(view.getUint8(o))
        break
      case 'int8':
        out.push(view.getInt8(o))
        break
      case 'bool':
        out.push(view.getInt8(o) !== 0)
        break
      case 'uint16':
        out.push(view.getUint16(o, true))
        break
      case 'int16':
        out.push(view.getInt16(o, true))
        break
      case 'uint32':
        out.push(view.getUint32(o, true))
        break
      case 'int32':
        out.push(view.getInt32(o, true))
        break
      case 'uint64':
        out.push(view.getBigUint64(o, true))
        break
      case 'int64':
        out.push(view.getBigInt64(o, true))
        break
      case 'float32':
        out.push(view.getFloat32(o, true))
        break
      default:
        out.push(view.getFloat64(o, true))
    }
  }
  return out
}

function flatten(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value]
}

/** A connection to one HDF5-REST endpoint. */
export class HsdsClient {
  constructor(readonly endpoint: string) {}

  async getJson(path: string, params: Record<string, string> = {}): Promise<Json> {
    const url = new URL(path, this.endpoint)
    url.searchParams.set('domain', '/')
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    const res = await fetch(url)
    if (!res.ok) throw new Error(`client: GET ${url.pathname} → ${res.status} ${await res.text()}`)
    return parsePythonJson(await res.text()) as Json
  }

  /** The root group, as h5pyd's `File(…, 'r')` opens it. */
  async root(): Promise<ClientGroup> {
    const domain = await this.getJson('/')
    return new ClientGroup(this, String(domain.root))
  }
}

/** Attributes of a group or dataset, name → value (decoded like h5py would). */
async function readAttrs(
  client: HsdsClient,
  collection: string,
  id: string,
): Promise<Record<string, unknown>> {
  const list = await client.getJson(`/${collection}/${id}/attributes`)
  const out: Record<string, unknown> = {}
  for (const a of list.attributes as Json[]) {
    const name = String(a.name)
    const one = await client.getJson(`/${collection}/${id}/attributes/${encodeURIComponent(name)}`)
    const type = decodeType(one.type)
    out[name] =
      type.name === 'bool'
        ? Array.isArray(one.value)
          ? one.value.map(Boolean)
          : Boolean(one.value)
        : one.value
  }
  return out
}

/** A group: its member names, members by path, attributes. */
export class ClientGroup {
  constructor(
    readonly client: HsdsClient,
    readonly id: string,
  ) {}

  async keys(): Promise<string[]> {
    const body = await this.client.getJson(`/groups/${this.id}/links`)
    return (body.links as Json[]).map((l) => String(l.title))
  }

  async attrs(): Promise<Record<string, unknown>> {
    return readAttrs(this.client, 'groups', this.id)
  }

  /** The group or dataset at a slash-separated path below this group. */
  async get(path: string): Promise<ClientGroup | ClientDataset> {
    let group: ClientGroup = this
    const parts = path.split('/').filter((p) => p.length > 0)
    for (let i = 0; i < parts.length; i++) {
      const body = await this.client.getJson(
        `/groups/${group.id}/links/${encodeURIComponent(parts[i] ?? '')}`,
      )
      const link = body.link as Json
      if (link.collection === 'groups') group = new ClientGroup(this.client, String(link.id))
      else if (i === parts.length - 1) return ClientDataset.open(this.client, String(link.id))
      else throw new Error(`client: ${parts.slice(0, i + 1).join('/')} is not a group`)
    }
    return group
  }

  async dataset(path: string): Promise<ClientDataset> {
    const node = await this.get(path)
    if (!(node instanceof ClientDataset)) throw new Error(`client: ${path} is a group`)
    return node
  }
}

/** A dataset: type and shape as fetched, values read on demand. */
export class ClientDataset {
  private constructor(
    readonly client: HsdsClient,
    readonly id: string,
    readonly type: ClientType,
    readonly shape: number[],
  ) {}

  static async open(client: HsdsClient, id: string): Promise<ClientDataset> {
    const body = await client.getJson(`/datasets/${id}`)
    const shape = body.shape as Json
    const dims = shape.class === 'H5S_SCALAR' ? [] : (shape.dims as number[])
    return new ClientDataset(client, id, decodeType(body.type), dims)
  }

  async attrs(): Promise<Record<string, unknown>> {
    return readAttrs(this.client, 'datasets', this.id)
  }

  /**
   * Read values (all, or `select` like `[0:2,1:3]`): binary for fixed-size types, as h5pyd
   * asks, JSON for strings and scalars. The dims of a selection come from the select text.
   */
  async read(select?: string): Promise<ClientValues> {
    const url = new URL(`/datasets/${this.id}/value`, this.client.endpoint)
    if (select !== undefined) url.searchParams.set('select', select)
    const binary = this.type.bytes > 0 && this.shape.length > 0
    const res = await fetch(url, {
      headers: binary ? { accept: 'application/octet-stream' } : { accept: 'application/json' },
    })
    if (!res.ok) throw new Error(`client: value of ${this.id} → ${res.status} ${await res.text()}`)
    const dims = selectionDims(select, this.shape)
    if (binary) {
      if (!res.headers.get('content-type')?.startsWith('application/octet-stream')) {
        throw new Error('client: asked for binary, got something else')
      }
      return { dims, values: fromBytes(new Uint8Array(await res.arrayBuffer()), this.type) }
    }
    const body = parsePythonJson(await res.text()) as Json
    const flat = flatten(body.value) as (number | string)[]
    return { dims, values: this.type.name === 'bool' ? flat.map(Boolean) : flat }
  }
}

/** Dims of a selection of `shape`, computed like numpy slicing (non-negative bounds only). */
function selectionDims(select: string | undefined, shape: number[]): number[] {
  if (select === undefined) return shape
  const parts = select.replace(/[[\]\s]/g, '').split(',')
  return shape.map((n, d) => {
    const part = parts[d]
    if (part === undefined || part === ':' || part === '') return n
    const f = part.split(':')
    if (f.length === 1) return 1
    const start = Math.min(Number(f[0] || 0), n)
    const stop = Math.min(f[1] === undefined || f[1] === '' ? n : Number(f[1]), n)
    const step = f[2] ? Number(f[2]) : 1
    return stop > start ? Math.ceil((stop - start) / step) : 0
  })
}
