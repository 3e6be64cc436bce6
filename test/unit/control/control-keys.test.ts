import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ControlKeys, controlKeys } from '../../../src/control/control-keys.js'
import { globPattern } from '../../../src/control/glob-pattern.js'
import { ScanId } from '../../../src/protocol/ids.js'

const scanId = ScanId.parse('scan:1*')

function everyKey(keys: ControlKeys, name: string): string[] {
  const id = ScanId.parse(name)
  return [
    keys.process('worker', name),
    keys.process('controller', name),
    keys.processEvents(),
    keys.parameters(),
    keys.parameterChanges(),
    keys.logs(),
    keys.controllerLease(),
    keys.scanUpdates(),
    keys.scanNumber(),
    keys.scan(id),
    keys.assignments(id),
    keys.completions(id),
    keys.credits(id),
    keys.ingester(id, name),
  ]
}

describe('controlKeys', () => {
  it('puts every key under the prefix and matches it with allPattern', () => {
    const keys = controlKeys('bl1')
    const all = globPattern(keys.allPattern())
    for (const key of everyKey(keys, 'w 1:x*')) {
      expect(key.startsWith('bl1:')).toBe(true)
      expect(all.test(key)).toBe(true)
    }
  })

  it('keeps the keys of different prefixes apart (property)', () => {
    const prefix = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.{}-]{0,10}$/)
    fc.assert(
      fc.property(prefix, prefix, fc.string({ minLength: 1 }), (a, b, name) => {
        fc.pre(a !== b)
        const ka = controlKeys(a)
        const kb = controlKeys(b)
        const patternB = globPattern(kb.allPattern())
        for (const key of everyKey(ka, name)) expect(patternB.test(key)).toBe(false)
      }),
    )
  })

  it('gives distinct keys to distinct names, which a glob cannot widen (property)', () => {
    const keys = controlKeys('p')
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        fc.pre(a !== b)
        expect(keys.process('worker', a)).not.toBe(keys.process('worker', b))
        expect(keys.process('worker', a)).not.toMatch(/[*?[\]\\]/)
        expect(keys.parseProcess(keys.process('ingester', a))).toEqual({
          role: 'ingester',
          name: a,
        })
      }),
    )
  })

  it('matches processes by role, and scan keys by scan', () => {
    const keys = controlKeys('p')
    const workers = globPattern(keys.processesPattern('worker'))
    expect(workers.test(keys.process('worker', 'a'))).toBe(true)
    expect(workers.test(keys.process('reducer', 'a'))).toBe(false)
    expect(globPattern(keys.processesPattern()).test(keys.processEvents())).toBe(false)
    const scan = globPattern(keys.scanPattern(scanId))
    expect(scan.test(keys.assignments(scanId))).toBe(true)
    expect(scan.test(keys.assignments(ScanId.parse('scan:1*x')))).toBe(false)
    expect(keys.parseProcess(keys.logs())).toBeUndefined()
  })

  it('refuses a bad prefix or an empty segment (CONFIG_INVALID)', () => {
    for (const bad of ['', 'a:b', 'a b', '*', 'x'.repeat(65)]) {
      expect(() => controlKeys(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    }
    expect(() => controlKeys('p').process('worker', '')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
  })
})

describe('globPattern', () => {
  it('follows Redis glob rules', () => {
    expect(globPattern('a*').test('abc')).toBe(true)
    expect(globPattern('a?c').test('abc')).toBe(true)
    expect(globPattern('a?c').test('ac')).toBe(false)
    expect(globPattern('h[ae]llo').test('hallo')).toBe(true)
    expect(globPattern('h[^e]llo').test('hello')).toBe(false)
    expect(globPattern('h[a-c]llo').test('hbllo')).toBe(true)
    expect(globPattern('a\\*').test('a*')).toBe(true)
    expect(globPattern('a\\*').test('ab')).toBe(false)
    expect(globPattern('a.b').test('axb')).toBe(false)
  })
})
