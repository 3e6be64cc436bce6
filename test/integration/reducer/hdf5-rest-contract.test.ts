import { gunzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { registerHdf5Rest } from '../../../reducer/hdf5-rest/register-hdf5-rest.js'

/** A JSON body as the tests read it: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
type Json = any

/** The hex id of a path, computed here without the server's code. */
function id(kind: 'g' | 'd', path: string): string {
  return `${kind}-h5dict-${Buffer.from(path).toString('hex').toUpperCase()}`
}

const image = Array.from({ length: 10 }, (_, r) =>
  Array.from({ length: 10 }, (_, c) => r * 100 + c),
)

function makePublish() {
  return {
    _attrs: { NX_class: 'NXentry', title: 'scan 7' },
    live: 34,
    ratio: 0.25,
    hello: 'World',
    ok: true,
    started: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    big: 2n ** 62n + 3n,
    image,
    frame: [new Uint16Array([1, 2, 3]), new Uint16Array([4, 5, 6])],
    names: ['a', 'bé'],
    flags: [true, false, true],
    floats: [0.5, -1, Number.NaN],
    edges: new Float32Array([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
    u8: new Uint8Array([0, 255]),
    i8: new Int8Array([-128, 127]),
    u16: new Uint16Array([0, 65535]),
    i16: new Int16Array([-32768, 32767]),
    u32: new Uint32Array([0, 4294967295]),
    i32: new Int32Array([-2147483648, 2147483647]),
    u64: new BigUint64Array([0n, 2n ** 64n - 1n]),
    i64: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    f32: new Float32Array([0.5, -2.25]),
    f64: new Float64Array([Math.PI, -0]),
    empty: [],
    nothing: null,
    'spaced group': { 'space ds': 4, 'space ds_attrs': { bla: 5 } },
    'spaced group_attrs': { 'spaced attr': 3 },
    ragged: [[1, 2], [3]],
    map: new Map<string, unknown>([['k', 1]]),
    oned: { data: new Float64Array(42).fill(1), motor: [0, 1, 2] },
    oned_attrs: {
      NX_class: 'NXdata',
      axes: ['motor'],
      signal: 'data',
      scale: 1.5,
      n: [1, 2],
      on: true,
    },
  }
}

let app: FastifyInstance
afterEach(async () => {
  await app?.close()
})

async function serve(publish: unknown = makePublish()) {
  app = Fastify()
  const view = { publish }
  registerHdf5Rest(app, view)
  await app.ready()
  return view
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers })
  return res
}

async function json(url: string) {
  const res = await get(url)
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as Record<string, Json>
}

describe('HDF5-REST: domain, groups and links', () => {
  it('GET / names the root group', async () => {
    await serve()
    const body = await json('/?domain=/')
    expect(body).toMatchObject({ root: 'g-h5dict-2F', class: 'domain' })
    expect(typeof body.created).toBe('number')
    expect(typeof body.lastModified).toBe('number')
  })

  it('groups count their links and attributes; links list members with ids and collections', async () => {
    await serve()
    const root = await json('/groups/g-h5dict-2F')
    const expectedMembers = Object.entries(makePublish()).filter(
      ([k, v]) => !k.endsWith('_attrs') && v !== null,
    )
    expect(root).toMatchObject({
      id: 'g-h5dict-2F',
      root: 'g-h5dict-2F',
      linkCount: expectedMembers.length,
      attributeCount: 2,
    })
    const { links } = await json('/groups/g-h5dict-2F/links')
    expect(links.map((l: Json) => l.title)).toEqual(expectedMembers.map(([k]) => k))
    const byName = Object.fromEntries(links.map((l: Json) => [l.title, l]))
    expect(byName.image).toEqual({
      class: 'H5L_TYPE_HARD',
      title: 'image',
      collection: 'datasets',
      id: id('d', '/image'),
      created: expect.any(Number),
    })
    expect(byName['spaced group']).toMatchObject({
      collection: 'groups',
      id: id('g', '/spaced group'),
    })
    expect(byName.ragged).toMatchObject({ collection: 'groups' })
    expect(byName.map).toMatchObject({ collection: 'groups' })
  })

  it('a single link by name, pages of links, nested and ragged groups', async () => {
    await serve()
    const { link } = await json(`/groups/${id('g', '/spaced group')}/links/space%20ds`)
    expect(link).toMatchObject({
      title: 'space ds',
      collection: 'datasets',
      id: id('d', '/spaced group/space ds'),
    })
    const page = await json('/groups/g-h5dict-2F/links?Marker=hello&Limit=2')
    expect(page.links.map((l: Json) => l.title)).toEqual(['ok', 'started'])
    const ragged = await json(`/groups/${id('g', '/ragged')}/links`)
    expect(ragged.links.map((l: Json) => [l.title, l.collection])).toEqual([
      ['0', 'datasets'],
      ['1', 'datasets'],
    ])
    const second = await json(`/datasets/${id('d', '/ragged/1')}/value`)
    expect(second.value).toEqual([3])
  })
})

describe('HDF5-REST: datasets and their types', () => {
  const expected: [string, unknown, unknown][] = [
    // JavaScript numbers are float64 whatever their values (a dataset keeps its type).
    ['live', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }, { class: 'H5S_SCALAR' }],
    ['ratio', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }, { class: 'H5S_SCALAR' }],
    [
      'hello',
      {
        class: 'H5T_STRING',
        charSet: 'H5T_CSET_UTF8',
        strPad: 'H5T_STR_NULLTERM',
        length: 'H5T_VARIABLE',
      },
      { class: 'H5S_SCALAR' },
    ],
    [
      'ok',
      {
        class: 'H5T_ENUM',
        base: { class: 'H5T_INTEGER', base: 'H5T_STD_I8LE' },
        mapping: { FALSE: 0, TRUE: 1 },
      },
      { class: 'H5S_SCALAR' },
    ],
    [
      'started',
      {
        class: 'H5T_STRING',
        charSet: 'H5T_CSET_UTF8',
        strPad: 'H5T_STR_NULLTERM',
        length: 'H5T_VARIABLE',
      },
      { class: 'H5S_SCALAR' },
    ],
    ['big', { class: 'H5T_INTEGER', base: 'H5T_STD_I64LE' }, { class: 'H5S_SCALAR' }],
    [
      'image',
      { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' },
      { class: 'H5S_SIMPLE', dims: [10, 10] },
    ],
    [
      'frame',
      { class: 'H5T_INTEGER', base: 'H5T_STD_U16LE' },
      { class: 'H5S_SIMPLE', dims: [2, 3] },
    ],
    [
      'names',
      {
        class: 'H5T_STRING',
        charSet: 'H5T_CSET_UTF8',
        strPad: 'H5T_STR_NULLTERM',
        length: 'H5T_VARIABLE',
      },
      { class: 'H5S_SIMPLE', dims: [2] },
    ],
    [
      'flags',
      {
        class: 'H5T_ENUM',
        base: { class: 'H5T_INTEGER', base: 'H5T_STD_I8LE' },
        mapping: { FALSE: 0, TRUE: 1 },
      },
      { class: 'H5S_SIMPLE', dims: [3] },
    ],
    ['floats', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }, { class: 'H5S_SIMPLE', dims: [3] }],
    ['u8', { class: 'H5T_INTEGER', base: 'H5T_STD_U8LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['i8', { class: 'H5T_INTEGER', base: 'H5T_STD_I8LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['u16', { class: 'H5T_INTEGER', base: 'H5T_STD_U16LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['i16', { class: 'H5T_INTEGER', base: 'H5T_STD_I16LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['u32', { class: 'H5T_INTEGER', base: 'H5T_STD_U32LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['i32', { class: 'H5T_INTEGER', base: 'H5T_STD_I32LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['u64', { class: 'H5T_INTEGER', base: 'H5T_STD_U64LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['i64', { class: 'H5T_INTEGER', base: 'H5T_STD_I64LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['f32', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F32LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['f64', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }, { class: 'H5S_SIMPLE', dims: [2] }],
    ['empty', { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }, { class: 'H5S_SIMPLE', dims: [0] }],
  ]

  it.each(expected)('%s has its HDF5 type and shape', async (name, type, shape) => {
    await serve()
    const body = await json(`/datasets/${id('d', `/${name}`)}`)
    expect(body).toMatchObject({ id: id('d', `/${name}`), type, shape, attributeCount: 0 })
    expect(body.creationProperties.layout).toEqual({ class: 'H5D_CONTIGUOUS' })
    expect((await json(`/datasets/${id('d', `/${name}`)}/shape`)).shape).toEqual(shape)
    expect((await json(`/datasets/${id('d', `/${name}`)}/type`)).type).toEqual(type)
  })

  it('a dataset of JavaScript numbers keeps its type while its values change', async () => {
    // The fluorescence map: NaN until measured, whole counts once every cell is; its grid
    // positions: whole numbers along one motor, fractions along the other.
    const view = await serve({
      map: [
        [Number.NaN, Number.NaN],
        [Number.NaN, 3],
      ],
      sy: [-2, -1, 0, 1, 2],
      sx: [-2, -2 / 3, 2 / 3, 2],
      points: 1,
    })
    const types = async () =>
      Promise.all(
        ['map', 'sy', 'sx', 'points'].map(
          async (n) => (await json(`/datasets/${id('d', `/${n}`)}`)).type,
        ),
      )
    const f64 = { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' }
    expect(await types()).toEqual([f64, f64, f64, f64])
    ;(view.publish as { map: number[][] }).map = [
      [1, 2],
      [4, 3],
    ]
    ;(view.publish as { points: number }).points = 4
    expect(await types()).toEqual([f64, f64, f64, f64])
  })

  it('JSON values: scalars bare, arrays nested, NaN as HSDS writes it, 64-bit integers exact', async () => {
    await serve()
    const value = async (name: string) => {
      const res = await get(`/datasets/${id('d', `/${name}`)}/value`)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      return res.body
    }
    expect(await value('live')).toBe('{"value":34}')
    expect(await value('hello')).toBe('{"value":"World"}')
    expect(await value('ok')).toBe('{"value":1}')
    expect(await value('started')).toBe('{"value":"2026-01-02T03:04:05.000Z"}')
    expect(await value('big')).toBe(`{"value":${2n ** 62n + 3n}}`)
    expect(await value('frame')).toBe('{"value":[[1,2,3],[4,5,6]]}')
    expect(await value('names')).toBe('{"value":["a","bé"]}')
    expect(await value('floats')).toBe('{"value":[0.5,-1,NaN]}')
    expect(await value('u64')).toBe(`{"value":[0,${2n ** 64n - 1n}]}`)
    expect(await value('i64')).toBe(`{"value":[${-(2n ** 63n)},${2n ** 63n - 1n}]}`)
    expect(await value('empty')).toBe('{"value":[]}')
    expect(await value('edges')).toBe('{"value":[Infinity,-Infinity]}')
    // What h5web does with such a body (hsds-api.ts: JSON.parse, else the tokens quoted and
    // parsed again, then numeric arrays made typed): NaN and the infinities come back.
    const body = await value('floats')
    expect(() => JSON.parse(body)).toThrow()
    const quoted = JSON.parse(body.replaceAll(/(NaN|-?Infinity)/gu, '"$&"')).value
    expect(Float64Array.from(quoted as number[])).toEqual(new Float64Array([0.5, -1, Number.NaN]))
  })

  it('binary values: raw little-endian bytes of every numeric kind', async () => {
    await serve()
    const bytes = async (name: string) => {
      const res = await get(`/datasets/${id('d', `/${name}`)}/value`, {
        accept: 'application/octet-stream',
      })
      expect(res.headers['content-type']).toBe('application/octet-stream')
      return res.rawPayload
    }
    const le = (write: (b: Buffer) => void, n: number) => {
      const b = Buffer.alloc(n)
      write(b)
      return b
    }
    expect(await bytes('u8')).toEqual(Buffer.from([0, 255]))
    expect(await bytes('i8')).toEqual(Buffer.from([0x80, 0x7f]))
    expect(await bytes('u16')).toEqual(Buffer.from([0, 0, 0xff, 0xff]))
    expect(await bytes('i16')).toEqual(Buffer.from([0, 0x80, 0xff, 0x7f]))
    expect(await bytes('u32')).toEqual(Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))
    expect(await bytes('i32')).toEqual(Buffer.from([0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f]))
    expect(await bytes('u64')).toEqual(
      le((b) => {
        b.writeBigUInt64LE(0n, 0)
        b.writeBigUInt64LE(2n ** 64n - 1n, 8)
      }, 16),
    )
    expect(await bytes('i64')).toEqual(
      le((b) => {
        b.writeBigInt64LE(-(2n ** 63n), 0)
        b.writeBigInt64LE(2n ** 63n - 1n, 8)
      }, 16),
    )
    expect(await bytes('f32')).toEqual(
      le((b) => {
        b.writeFloatLE(0.5, 0)
        b.writeFloatLE(-2.25, 4)
      }, 8),
    )
    expect(await bytes('f64')).toEqual(
      le((b) => {
        b.writeDoubleLE(Math.PI, 0)
        b.writeDoubleLE(-0, 8)
      }, 16),
    )
    expect(await bytes('flags')).toEqual(Buffer.from([1, 0, 1]))
    expect(await bytes('floats')).toEqual(
      le((b) => {
        b.writeDoubleLE(0.5, 0)
        b.writeDoubleLE(-1, 8)
        b.writeDoubleLE(Number.NaN, 16)
      }, 24),
    )
    expect(await bytes('live')).toEqual(le((b) => b.writeDoubleLE(34, 0), 8))
    // Strings have no fixed size: JSON even when binary is asked for (as HSDS does).
    const names = await get(`/datasets/${id('d', '/names')}/value`, {
      accept: 'application/octet-stream',
    })
    expect(names.headers['content-type']).toMatch(/^application\/json/)
    expect(names.json()).toEqual({ value: ['a', 'bé'] })
  })

  it('selections: slices, steps, single indices, clipping (Dranspose test_slice)', async () => {
    await serve()
    const sel = async (select: string, binary = true) => {
      const res = await get(
        `/datasets/${id('d', '/image')}/value?select=${encodeURIComponent(select)}`,
        binary ? { accept: 'application/octet-stream' } : {},
      )
      expect(res.statusCode, res.body).toBe(200)
      if (!binary) return res.json().value
      const b = res.rawPayload
      return Array.from({ length: b.length / 8 }, (_, i) => b.readDoubleLE(i * 8))
    }
    const slice = (r0: number, r1: number, rs: number, c0: number, c1: number, cs: number) => {
      const out: number[] = []
      for (let r = r0; r < Math.min(r1, 10); r += rs)
        for (let c = c0; c < Math.min(c1, 10); c += cs) out.push(r * 100 + c)
      return out
    }
    expect(await sel('[2:5,7:20]')).toEqual(slice(2, 5, 1, 7, 20, 1))
    expect(await sel('[0:10:3,1:9:4]')).toEqual(slice(0, 10, 3, 1, 9, 4))
    expect(await sel('[4,:]')).toEqual(slice(4, 5, 1, 0, 10, 1))
    expect(await sel('[:,9]')).toEqual(slice(0, 10, 1, 9, 10, 1))
    expect(await sel('[-2:,-1]')).toEqual(slice(8, 10, 1, 9, 10, 1))
    expect(await sel('[3:3,:]')).toEqual([])
    expect(await sel('[1:3,2:4]', false)).toEqual([
      [102, 103],
      [202, 203],
    ])
    const rows = await get(`/datasets/${id('d', '/frame')}/value?select=[1,0:3:2]`)
    expect(rows.json()).toEqual({ value: [[4, 6]] })
  })

  it('gzip when asked and the body is over 1 KiB, plain otherwise', async () => {
    await serve({ big: new Float64Array(1000).fill(2), small: new Float64Array(4).fill(2) })
    const big = await get(`/datasets/${id('d', '/big')}/value`, {
      accept: 'application/octet-stream',
      'accept-encoding': 'gzip, deflate',
    })
    expect(big.headers['content-encoding']).toBe('gzip')
    const raw = gunzipSync(big.rawPayload)
    expect(raw.length).toBe(8000)
    expect(new Float64Array(raw.buffer, raw.byteOffset, 1000).every((v) => v === 2)).toBe(true)
    expect(big.rawPayload.length).toBeLessThan(8000)
    const small = await get(`/datasets/${id('d', '/small')}/value`, {
      accept: 'application/octet-stream',
      'accept-encoding': 'gzip',
    })
    expect(small.headers['content-encoding']).toBeUndefined()
    const plain = await get(`/datasets/${id('d', '/big')}/value`, {
      accept: 'application/octet-stream',
      'accept-encoding': 'deflate',
    })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.rawPayload.length).toBe(8000)
  })
})

describe('HDF5-REST: attributes', () => {
  it('root attributes come from _attrs, group and dataset attributes from name_attrs', async () => {
    await serve()
    const rootAttrs = await json('/groups/g-h5dict-2F/attributes')
    expect(rootAttrs.attributes.map((a: Json) => a.name)).toEqual(['NX_class', 'title'])
    expect(rootAttrs.attributes[0]).not.toHaveProperty('value')
    expect(await json('/groups/g-h5dict-2F/attributes/NX_class')).toMatchObject({
      name: 'NX_class',
      value: 'NXentry',
      type: { class: 'H5T_STRING' },
      shape: { class: 'H5S_SCALAR' },
    })
    const group = id('g', '/spaced group')
    expect((await json(`/groups/${group}`)).attributeCount).toBe(1)
    expect(await json(`/groups/${group}/attributes/spaced%20attr`)).toMatchObject({
      value: 3,
      type: { base: 'H5T_IEEE_F64LE' },
    })
    const ds = id('d', '/spaced group/space ds')
    expect((await json(`/datasets/${ds}`)).attributeCount).toBe(1)
    expect(await json(`/datasets/${ds}/attributes/bla`)).toMatchObject({ name: 'bla', value: 5 })
  })

  it('attributes of every kind, with values in the list when IncludeData is set', async () => {
    await serve()
    const oned = id('g', '/oned')
    const { attributes } = await json(`/groups/${oned}/attributes?IncludeData=1`)
    const byName = Object.fromEntries(attributes.map((a: Json) => [a.name, a]))
    expect(byName.NX_class).toMatchObject({ value: 'NXdata', shape: { class: 'H5S_SCALAR' } })
    expect(byName.axes).toMatchObject({
      value: ['motor'],
      type: { class: 'H5T_STRING' },
      shape: { class: 'H5S_SIMPLE', dims: [1] },
    })
    expect(byName.scale).toMatchObject({
      value: 1.5,
      type: { class: 'H5T_FLOAT', base: 'H5T_IEEE_F64LE' },
    })
    expect(byName.n).toMatchObject({
      value: [1, 2],
      type: { base: 'H5T_IEEE_F64LE' },
      shape: { dims: [2] },
    })
    expect(byName.on).toMatchObject({ value: 1, type: { class: 'H5T_ENUM' } })
  })
})

describe('HDF5-REST: errors', () => {
  it('404 with a message for unknown, malformed and mismatched ids', async () => {
    await serve()
    const cases: [string, RegExp][] = [
      [`/groups/${id('g', '/nope')}`, /no '\/nope' in publish/],
      [`/datasets/${id('d', '/oned/nope')}`, /no '\/oned\/nope' in publish/],
      [`/datasets/${id('d', '/live/x')}`, /no '\/live\/x' in publish/],
      ['/groups/not-an-id', /not an id of this server/],
      ['/datasets/d-h5dict-XYZ/value', /not an id of this server/],
      [`/datasets/${id('g', '/live')}`, /as a group, not a dataset/],
      [`/groups/${id('g', '/live')}`, /\/live is a dataset, not a group/],
      [`/datasets/${id('d', '/oned')}/value`, /\/oned is a group, not a dataset/],
      [`/groups/${id('g', '/oned')}/links/nope`, /no link 'nope' in group \/oned/],
      [`/groups/${id('g', '/oned')}/links/oned_attrs`, /no link 'oned_attrs'/],
      [`/groups/${id('g', '/oned')}/attributes/nope`, /no attribute 'nope' on \/oned/],
      [`/datasets/${id('d', '/nothing')}`, /no '\/nothing' in publish/],
    ]
    for (const [url, message] of cases) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.json().message, url).toMatch(message)
    }
  })

  it('400 with a message for a bad selection', async () => {
    await serve()
    const cases: [string, string, RegExp][] = [
      ['/image', '[0:2,0:2,0:2]', /3 dimensions given, the dataset has 2/],
      ['/image', '[0:x]', /'x' is not an integer/],
      ['/image', '[0:5:0]', /step 0 must be positive/],
      ['/image', '[10]', /index 10 is out of range for extent 10/],
      ['/live', '[0]', /scalar/],
    ]
    for (const [path, select, message] of cases) {
      const res = await get(`/datasets/${id('d', path)}/value?select=${encodeURIComponent(select)}`)
      expect(res.statusCode, select).toBe(400)
      expect(res.json().message, select).toMatch(message)
    }
  })

  it('a publish that is not an object has no root group (404)', async () => {
    await serve(42)
    const res = await get('/groups/g-h5dict-2F')
    expect(res.statusCode).toBe(404)
  })
})
