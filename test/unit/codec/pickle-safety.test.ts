import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readPickle } from '../../../src/codec/pickle-reader.js'
import { writePickle } from '../../../src/codec/pickle-writer.js'
import { isBeamloomError, ProtocolError } from '../../../src/errors.js'

/** CPython `pickle.dumps` of objects whose `__reduce__` names dangerous callables. */
const V = {
  evil_system_p0:
    '63706f7369780a73797374656d0a70300a28566563686f2070776e65640a70310a7470320a5270330a2e',
  evil_system_p4: [
    '80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e6564',
    '94859452942e',
  ].join(''),
  evil_eval_p2: '8002635f5f6275696c74696e5f5f0a6576616c0a71005803000000312b3171018571025271032e',
  evil_popen_p3: [
    '80036373756270726f636573730a506f70656e0a71005d71015804000000747275657102618571035271',
    '042e',
  ].join(''),
  evil_nested_p4: [
    '800495f9000000000000007d948c0178945d94288c166e756d70792e5f636f72652e6d756c7469617272',
    '6179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00',
    '85944301629487945294284b014b02859468068c0564747970659493948c02663894898887945294284b',
    '038c013c944e4e4e4affffffff4affffffff4b0074946289431000000000000000000000000000000000',
    '947494628c05706f736978948c0673797374656d9493948c086275696c74696e73948c07676574617474',
    '72949394681a8c0a5f5f696d706f72745f5f9493948c026f7394859452948c0673797374656d94869452',
    '948594529465732e',
  ].join(''),
  evil_class_p2: '8002635f5f6d61696e5f5f0a4f626a0a7100298171017d710258010000007871034b0173622e',
  evil_class_p0: [
    '63636f70795f7265670a5f7265636f6e7374727563746f720a70300a28635f5f6d61696e5f5f0a4f626a',
    '0a70310a635f5f6275696c74696e5f5f0a6f626a6563740a70320a4e7470330a5270340a286470350a56',
    '780a70360a49310a73622e',
  ].join(''),
  basic_p4: [
    '800495a7000000000000007d94288c046e6f6e65944e8c017494888c016694898c0169944b078c036e65',
    '67944ad4feffff8c03626967948a090000000000000000408c046e626967948a090000000000000000ff',
    '8c02666c94473ff40000000000008c0173948c0668c3a96c6c6f948c016294430200ff948c016c945d94',
    '284b018c016194658c02747594284b014b024b034b0474948c016594298c06736861726564945d94284b',
    '014b026568148694752e',
  ].join(''),
  np_u2_p4: [
    '8004958f000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b03859468038c0564747970659493948c02753294898887945294284b038c013c944e4e4e4a',
    'ffffffff4affffffff4b0074946289430601000200ffff947494622e',
  ].join(''),
}

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'))

function refusal(input: Uint8Array, options = {}): ProtocolError {
  try {
    readPickle(input, options)
  } catch (err) {
    if (err instanceof ProtocolError) return err
    throw err
  }
  throw new Error('pickle was accepted')
}

describe('readPickle refuses code', () => {
  it.each([
    ['os.system, protocol 0 (GLOBAL)', V.evil_system_p0, 'posix.system'],
    ['os.system, protocol 4 (STACK_GLOBAL)', V.evil_system_p4, 'posix.system'],
    ['builtins.eval', V.evil_eval_p2, '__builtin__.eval'],
    ['subprocess.Popen', V.evil_popen_p3, 'subprocess.Popen'],
    ['nested getattr(__import__) inside data', V.evil_nested_p4, 'posix.system'],
    ['a user class (NEWOBJ)', V.evil_class_p2, '__main__.Obj'],
    ['a user class (copy_reg._reconstructor)', V.evil_class_p0, 'copy_reg._reconstructor'],
  ])('%s → ProtocolError naming the global', (_name, hex, global) => {
    const err = refusal(bytes(hex))
    expect(err.code).toBe('PROTOCOL_INVALID')
    expect(err.message).toContain(`'${global}'`)
    expect(err.message).toContain('not allowed')
  })

  it('refuses at the GLOBAL opcode, before any argument is read', () => {
    // the pickle ends right after the global: the refusal is not a truncation error
    expect(refusal(ascii('cos\nsystem\n')).message).toContain("'os.system'")
    expect(refusal(ascii('\x80\x04\x8c\x08builtins\x8c\x04exec\x93')).message).toContain(
      "'builtins.exec'",
    )
  })

  it.each([
    ['INST', '(S"ls"\nios\nsystem\n.'],
    ['OBJ', '(cos\nsystem\nS"ls"\no.'],
    ['PERSID', 'Pfoo\n.'],
    ['BINPERSID', '\x80\x02K\x01Q.'],
    ['EXT1', '\x80\x02\x82\x01.'],
    ['EXT2', '\x80\x02\x83\x01\x00.'],
    ['EXT4', '\x80\x02\x84\x01\x00\x00\x00.'],
  ])('refuses opcode %s', (name, text) => {
    const err = refusal(ascii(text))
    expect(err.message).toMatch(name === 'INST' || name === 'OBJ' ? /INST|OBJ|os\.system/ : name)
  })

  it('refuses calling a value that is not an allowed callable', () => {
    // REDUCE on a string, on numpy.ndarray (not callable), and _reconstruct of a non-ndarray
    expect(refusal(ascii('\x80\x04\x8c\x01x)R.')).message).toMatch(/cannot call/)
    expect(refusal(ascii('\x80\x02cnumpy\nndarray\n)R.')).message).toMatch(/cannot call/)
    expect(
      refusal(
        ascii('\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\ndtype\nK\x00\x85C\x01b\x87R.'),
      ).message,
    ).toMatch(/only builds numpy.ndarray/)
  })

  it('refuses a global as a final value and _codecs.encode with another codec', () => {
    expect(refusal(ascii('cnumpy\nndarray\n.')).message).toMatch(/cannot be a value/)
    expect(
      refusal(ascii('\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x03\x00\x00\x00rot\x86R.'))
        .message,
    ).toMatch(/latin-1/)
  })
})

describe('readPickle refuses malformed input', () => {
  it('refuses every truncation of a valid pickle', () => {
    for (const hex of [V.basic_p4, V.np_u2_p4]) {
      const full = bytes(hex)
      for (let n = 0; n < full.length; n++) {
        expect(() => readPickle(full.subarray(0, n)), `prefix of ${n} bytes`).toThrow(ProtocolError)
      }
    }
  })

  it('refuses lengths beyond the input before allocating', () => {
    expect(refusal(ascii('\x80\x03B\xff\xff\xff\xffab.')).message).toMatch(/truncated/)
    expect(refusal(ascii('\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7fab.')).message).toMatch(
      /truncated/,
    )
    expect(refusal(ascii('\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x80.')).message).toMatch(
      /truncated/,
    )
    expect(refusal(ascii('\x80\x02T\xff\xff\xff\xffab.')).message).toMatch(/negative/)
    expect(refusal(ascii('\x80\x02\x8b\x00\x00\x10\x00\x00.')).message).toMatch(/too large/)
  })

  it('refuses nesting deeper than maxDepth', () => {
    const nest = (depth: number) => ascii(`\x80\x02${']'.repeat(depth)}${'a'.repeat(depth - 1)}.`)
    expect(refusal(nest(300)).message).toMatch(/nesting deeper than 256/)
    expect(() => readPickle(nest(300), { maxDepth: 300 })).not.toThrow()
    // a huge maxDepth is capped, so deep input is still refused rather than overflowing the stack
    expect(refusal(nest(100_000), { maxDepth: 1e9 }).message).toMatch(/nesting deeper than 2000/)
  })

  it('refuses more memo entries than maxMemo', () => {
    const memo = ascii('\x80\x04]\x94]\x94]\x94\x87.')
    expect(refusal(memo, { maxMemo: 2 }).message).toMatch(/more than 2 memo entries/)
    expect(readPickle(memo, { maxMemo: 3 })).toEqual([[], [], []])
  })

  it('refuses stack and memo misuse', () => {
    expect(refusal(ascii('\x80\x02.')).message).toMatch(/underflow/)
    expect(refusal(ascii('\x80\x02h\x05.')).message).toMatch(/memo entry 5/)
    expect(refusal(ascii('\x80\x02K\x01K\x02.')).message).toMatch(/left on the stack/)
    expect(refusal(ascii('\x80\x02e.')).message).toMatch(/no MARK/)
    expect(refusal(ascii('\x80\x02K\x01K\x02a.')).message).toMatch(/APPEND on/)
    expect(refusal(ascii('\x80\x02(K\x01K\x02K\x03d.')).message).toMatch(/odd/)
    expect(refusal(ascii('\x80\x06N.')).message).toMatch(/protocol 6/)
    expect(refusal(ascii('\x80\x02\xff.')).message).toMatch(/unknown opcode 0xff/)
    expect(refusal(ascii('\x80\x03X\x01\x00\x00\x00\xff.')).message).toMatch(/UTF-8/)
    expect(refusal(ascii('Iabc\n.')).message).toMatch(/not an integer/)
  })

  it('never throws anything but ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        try {
          readPickle(Uint8Array.from([0x80, 0x04, ...input]))
        } catch (err) {
          if (!isBeamloomError(err, 'PROTOCOL_INVALID')) throw err
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws anything but ProtocolError on mutated valid pickles', () => {
    const base = writePickle({ a: [1, 2.5, 'x', new Uint8Array([1])], b: null })
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(255), (at, byte) => {
        const input = base.slice()
        input[at] = byte
        try {
          readPickle(input)
        } catch (err) {
          if (!isBeamloomError(err, 'PROTOCOL_INVALID')) throw err
        }
      }),
      { numRuns: 3000 },
    )
  })
})
