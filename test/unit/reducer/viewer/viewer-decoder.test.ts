import { readFileSync } from 'node:fs'
import { Encoder } from 'cbor-x'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerViewer } from '../../../../reducer/viewer/viewer-routes.js'
import { encodePayload } from '../../../../src/internal.js'
import { repoPath } from '../../../harness/fixtures.js'

const DECODER = repoPath('node_modules/cbor-x/decode.js')

// The page imports cbor-x's browser decoder, served from the package as published: load the
// same file the page gets.
const { decode } = (await import(DECODER)) as { decode: (bytes: Uint8Array) => unknown }

describe('the viewer decodes with cbor-x, the library the reducer encodes with', () => {
  it("serves cbor-x's browser decoder and uPlot from their packages", async () => {
    const app = Fastify()
    registerViewer(app, () => ({}))
    const cbor = await app.inject({ url: '/viewer/vendor/cbor-x.js' })
    expect(cbor.statusCode).toBe(200)
    expect(cbor.headers['content-type']).toMatch(/^text\/javascript/)
    expect(cbor.body).toBe(readFileSync(DECODER, 'utf8'))
    const uplot = await app.inject({ url: '/viewer/vendor/uplot.js' })
    expect(uplot.body).toBe(readFileSync(repoPath('node_modules/uplot/dist/uPlot.esm.js'), 'utf8'))
    expect((await app.inject({ url: '/viewer/vendor/uplot.css' })).headers['content-type']).toMatch(
      /^text\/css/,
    )
    expect((await app.inject({ url: '/viewer/vendor/nope.js' })).statusCode).toBe(404)
    // The page's own decoder is gone.
    expect((await app.inject({ url: '/viewer/cbor.js' })).statusCode).toBe(404)
    await app.close()
  })

  it('reads typed arrays of every element type as the reducer encodes them', () => {
    const arrays = [
      new Uint8Array([0, 1, 255]),
      new Int8Array([-128, 0, 127]),
      new Uint16Array([0, 513, 65_535]),
      new Int16Array([-32_768, -2, 32_767]),
      new Uint32Array([0, 70_000, 4_294_967_295]),
      new Int32Array([-2_147_483_648, -5, 2_147_483_647]),
      new Float32Array([0.5, -1.25, 3e10]),
      new Float64Array([Math.PI, -0, Number.NaN]),
      new BigInt64Array([-3n, 2n ** 40n]),
      new BigUint64Array([2n ** 63n]),
    ]
    for (const a of arrays) {
      const decoded = decode(encodePayload(a)) as ArrayLike<unknown>
      expect(decoded.constructor.name, a.constructor.name).toBe(a.constructor.name)
      expect(Array.from(decoded)).toEqual(Array.from(a as ArrayLike<unknown>))
    }
  })

  it('reads publish trees: objects, rows of typed arrays, NaN, strings, booleans, null', () => {
    const tree = {
      sum: 12.5,
      name: 'xrd ✓',
      done: true,
      none: null,
      map: [
        [Number.NaN, 2],
        [3, 4],
      ],
      image: [new Float32Array([1, 2]), new Float32Array([3, 4])],
      roi_attrs: { NX_class: 'NXdata', axes: ['event_number'] },
    }
    expect(decode(encodePayload(tree))).toEqual(tree)
  })

  it('never lets a "__proto__" key change the prototype', () => {
    const bytes = new Encoder({ useRecords: false }).encode(
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
    )
    const decoded = decode(bytes) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined()
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(decoded.a).toBe(1)
  })
})
