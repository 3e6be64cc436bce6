import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scanCborItem } from '../../../src/codec/cbor-scan.js'

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true })
const bytes = (...values: number[]) => Uint8Array.from(values)

/** Values cbor-x encodes with every major type, definite lengths, tags (Date, bigint). */
const cborValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.double(),
    fc.string(),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(true, false, null, undefined),
    fc.date({ noInvalidDate: true }),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('node'), { maxKeys: 5 }),
  ),
})).node

describe('scanCborItem', () => {
  it('finds the exact end of any cbor-x encoded value, and of each in a sequence', () => {
    fc.assert(
      fc.property(fc.array(cborValue, { minLength: 1, maxLength: 4 }), (values) => {
        const encoded = values.map((v) => encoder.encode(v))
        const all = Buffer.concat(encoded)
        let start = 0
        for (const one of encoded) {
          const scan = scanCborItem(all, start)
          expect(scan).toEqual({ status: 'complete', end: start + one.length })
          start += one.length
        }
      }),
    )
  })

  it('reports every proper prefix as incomplete, needing more than it has', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const encoded = encoder.encode(value)
        for (let cut = 0; cut < encoded.length; cut++) {
          const scan = scanCborItem(encoded, 0, cut)
          expect(scan.status).toBe('incomplete')
          if (scan.status === 'incomplete') {
            expect(scan.needed).toBeGreaterThan(cut)
            expect(scan.needed).toBeLessThanOrEqual(encoded.length)
          }
        }
      }),
    )
  })

  it('asks for the whole payload of a long byte string at once', () => {
    // bstr of 70000 bytes: head 0x5a + 4-byte length.
    const head = bytes(0x5a, 0x00, 0x01, 0x11, 0x70)
    expect(scanCborItem(head, 0)).toEqual({ status: 'incomplete', needed: 5 + 70000 })
    expect(scanCborItem(bytes(0x5a, 0x00), 0)).toEqual({ status: 'incomplete', needed: 5 })
  })

  it('walks indefinite-length arrays, maps and strings', () => {
    // [_ 1, {_ "a": h'01'}, (_ h'0102', h'03')]
    const item = bytes(
      0x9f,
      0x01,
      0xbf,
      0x61,
      0x61,
      0x41,
      0x01,
      0xff,
      0x5f,
      0x42,
      1,
      2,
      0x41,
      3,
      0xff,
      0xff,
    )
    expect(scanCborItem(item, 0)).toEqual({ status: 'complete', end: item.length })
    for (let cut = 0; cut < item.length; cut++) {
      expect(scanCborItem(item, 0, cut).status).toBe('incomplete')
    }
  })

  it('starts at the given offset and ignores bytes after the item', () => {
    const seq = bytes(0xff, 0x82, 0x01, 0x02, 0xff)
    expect(scanCborItem(seq, 1)).toEqual({ status: 'complete', end: 4 })
  })

  it.each([
    ['reserved additional information', bytes(0x1c), 0, /reserved/],
    ['a break outside an indefinite item', bytes(0x82, 0x01, 0xff), 2, /break/],
    ['a top-level break', bytes(0xff), 0, /break/],
    ['an indefinite integer', bytes(0x1f), 0, /indefinite length is not allowed for uint/],
    ['an indefinite tag', bytes(0xdf), 0, /tag/],
    ['a text chunk in an indefinite byte string', bytes(0x5f, 0x61, 0x61, 0xff), 1, /chunk/],
    ['a nested indefinite chunk', bytes(0x7f, 0x7f, 0xff, 0xff), 1, /chunk/],
    ['a map ending after a key', bytes(0xbf, 0x01, 0xff), 2, /key without its value/],
    ['a two-byte simple value below 32', bytes(0xf8, 0x10), 0, /simple value/],
  ])('rejects %s', (_name, input, at, reason) => {
    const scan = scanCborItem(input, 0)
    expect(scan.status).toBe('invalid')
    if (scan.status === 'invalid') {
      expect(scan.at).toBe(at)
      expect(scan.reason).toMatch(reason)
    }
  })

  it('rejects hostile nesting without recursing', () => {
    const deep = new Uint8Array(100_000).fill(0x81) // [[[[…
    const scan = scanCborItem(deep, 0)
    expect(scan).toMatchObject({ status: 'invalid', at: 512 })
    expect(scanCborItem(deep, 0, deep.length, { maxDepth: 200_000 }).status).toBe('incomplete')
  })

  it('treats an 8-byte length beyond 2^53 as needing more bytes than any file has', () => {
    const huge = bytes(0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
    const scan = scanCborItem(huge, 0)
    expect(scan.status).toBe('incomplete')
    if (scan.status === 'incomplete') expect(scan.needed).toBeGreaterThan(2 ** 53)
  })
})
