import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeParameterValue,
  mergeDescriptions,
  ParameterDescription,
  parametersHash,
  parseParameterDescriptions,
  parseParameterFile,
  parseParameterValue,
  resolveParameters,
} from '../../../src/internal.js'

const bytes = (s: string) => new TextEncoder().encode(s)
const desc = (raw: unknown) => ParameterDescription.parse(raw)

/** sha256 of nothing: no parameters. */
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** roi = '[0, 10]' and mask = 00 01 ff, computed with Python's hashlib. */
const ROI_MASK_HASH = '277a91fae785f5d617fba7b4c646e0345e82b8a40c5c9d158da7a847ab0157aa'

describe('parameter descriptions', () => {
  it('fills the defaults of every dtype', () => {
    expect(desc({ name: 'a', dtype: 'str' }).default).toBe('')
    expect(desc({ name: 'a', dtype: 'int' }).default).toBe(0)
    expect(desc({ name: 'a', dtype: 'float' }).default).toBe(0)
    expect(desc({ name: 'a', dtype: 'bool' }).default).toBe(false)
    expect(desc({ name: 'a', dtype: 'binary' }).default).toEqual(new Uint8Array())
  })

  it('rejects an unknown dtype, a wrong default or a typo, naming the module', () => {
    expect(() => parseParameterDescriptions([{ name: 'a', dtype: 'complex' }], 'm.ts:W')).toThrow(
      /m\.ts:W: describeParameters\(\): 0\.dtype: /,
    )
    expect(() =>
      parseParameterDescriptions([{ name: 'a', dtype: 'int', default: 1.5 }], 'm'),
    ).toThrow(/default/)
    expect(() =>
      parseParameterDescriptions([{ name: 'a', dtype: 'int', defualt: 1 }], 'm'),
    ).toThrow(/defualt/)
  })

  it('refuses one name described with two dtypes', () => {
    expect(() =>
      mergeDescriptions([[desc({ name: 'x', dtype: 'int' })], [desc({ name: 'x', dtype: 'str' })]]),
    ).toThrow(/'x' is described as int and as str/)
  })
})

describe('parameter values from bytes', () => {
  it('parses each dtype like Dranspose writes it', () => {
    expect(parseParameterValue(desc({ name: 'a', dtype: 'int' }), bytes(' 42 '))).toBe(42)
    expect(parseParameterValue(desc({ name: 'a', dtype: 'float' }), bytes('1e-3'))).toBe(0.001)
    expect(parseParameterValue(desc({ name: 'a', dtype: 'float' }), bytes('-inf'))).toBe(
      Number.NEGATIVE_INFINITY,
    )
    expect(parseParameterValue(desc({ name: 'a', dtype: 'bool' }), bytes('True'))).toBe(true)
    expect(parseParameterValue(desc({ name: 'a', dtype: 'bool' }), bytes('false'))).toBe(false)
    expect(parseParameterValue(desc({ name: 'a', dtype: 'str' }), bytes('ü'))).toBe('ü')
    const bin = new Uint8Array([0, 255, 7])
    expect(parseParameterValue(desc({ name: 'a', dtype: 'binary' }), bin)).toBe(bin)
  })

  it('gives a clear error instead of silently using 0', () => {
    expect(() => parseParameterValue(desc({ name: 'n', dtype: 'int' }), bytes('12abc'))).toThrow(
      "parameter 'n' (int): '12abc' is not an integer",
    )
    expect(() => parseParameterValue(desc({ name: 'n', dtype: 'float' }), bytes('x'))).toThrow(
      /not a number/,
    )
    expect(() => parseParameterValue(desc({ name: 'b', dtype: 'bool' }), bytes('yes'))).toThrow(
      /not a boolean/,
    )
    expect(() =>
      parseParameterValue(desc({ name: 'n', dtype: 'int', min: 0, max: 10 }), bytes('11')),
    ).toThrow(/> max 10/)
    expect(() =>
      parseParameterValue(desc({ name: 's', dtype: 'str' }), new Uint8Array([0xff])),
    ).toThrow(/UTF-8/)
  })

  it('round-trips every value through its bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer().map((v) => ['int', v] as const),
          fc.double({ noNaN: true }).map((v) => ['float', v] as const),
          fc.boolean().map((v) => ['bool', v] as const),
          fc.string().map((v) => ['str', v] as const),
        ),
        ([dtype, value]) => {
          const d = desc({ name: 'p', dtype })
          expect(parseParameterValue(d, encodeParameterValue(value))).toEqual(value)
        },
      ),
    )
  })
})

describe('resolved parameters and their hash', () => {
  const descriptions = mergeDescriptions([
    [
      desc({ name: 'roi', dtype: 'str', default: ':,:' }),
      desc({ name: 'n', dtype: 'int', default: 3 }),
    ],
  ])

  it('uses set values, defaults, and keeps undescribed values as text', () => {
    const p = resolveParameters(
      descriptions,
      new Map([
        ['n', bytes('7')],
        ['extra', bytes('hi')],
      ]),
    )
    expect(p.roi?.value).toBe(':,:')
    expect(p.n?.value).toBe(7)
    expect(p.extra?.value).toBe('hi')
  })

  it('hashes equal sets equally and different sets differently', () => {
    const a = parametersHash(resolveParameters(descriptions, new Map([['n', bytes('7')]])))
    const b = parametersHash(resolveParameters(descriptions, new Map([['n', bytes('7')]])))
    const c = parametersHash(resolveParameters(descriptions, new Map([['n', bytes('8')]])))
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(a).toBe(b)
    expect(a).not.toBe(c)
  })

  it('hashes the documented layout: per name in order, u32be name length, u32be data length, name, data', () => {
    // Computed outside beamloom (Python hashlib over the same layout).
    expect(parametersHash({})).toBe(EMPTY_HASH)
    const set = resolveParameters(
      new Map(),
      new Map([
        ['roi', bytes('[0, 10]')],
        ['mask', Uint8Array.of(0, 1, 255)],
      ]),
    )
    expect(parametersHash(set)).toBe(ROI_MASK_HASH)
  })
})

describe('parameters file', () => {
  it('reads the data and the value forms', () => {
    const m = parseParameterFile(
      JSON.stringify([
        { name: 'roi', data: '0:2,8:10' },
        { name: 'n', value: 5 },
        { name: 'flag', value: true },
      ]),
      'p.json',
    )
    expect(new TextDecoder().decode(m.get('roi'))).toBe('0:2,8:10')
    expect(new TextDecoder().decode(m.get('n'))).toBe('5')
    expect(new TextDecoder().decode(m.get('flag'))).toBe('True')
  })

  it('names the file and the problem', () => {
    expect(() => parseParameterFile('{', 'p.json')).toThrow(/p\.json: not valid JSON/)
    expect(() => parseParameterFile('[{"name":"a"}]', 'p.json')).toThrow(/p\.json: expected a list/)
    expect(() =>
      parseParameterFile('[{"name":"a","data":"1"},{"name":"a","data":"2"}]', 'p.json'),
    ).toThrow("p.json: parameter 'a' given twice")
  })
})
