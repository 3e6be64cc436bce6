import { describe, expect, it } from 'vitest'
import { parseJsonBytes } from '../../../src/internal.js'

describe('parseJsonBytes', () => {
  const bytes = (text: string) => new TextEncoder().encode(text)

  it('parses UTF-8 JSON, skipping a byte-order mark', () => {
    expect(parseJsonBytes(bytes('{"a":[1,"é"]}'))).toEqual({ a: [1, 'é'] })
    expect(parseJsonBytes(bytes('\uFEFF{"a":1}'))).toEqual({ a: 1 })
  })

  it('throws for bytes that are not UTF-8 or not JSON', () => {
    expect(() => parseJsonBytes(Uint8Array.of(0x7b, 0xff, 0x7d))).toThrow(TypeError)
    expect(() => parseJsonBytes(bytes('{"a":'))).toThrow(SyntaxError)
  })
})
