import { readFileSync } from 'node:fs'
import path from 'node:path'
import { decodeMultiple } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { readPickle } from '../../../src/codec/pickle-reader.js'
import {
  isNumpyArray,
  isPickleDict,
  type NumpyArray,
  type PickleValue,
} from '../../../src/codec/pickle-value.js'
import { ProtocolError } from '../../../src/errors.js'

/** numpy 2.4 `pickle.dumps` output (numpy 2 writes `numpy._core` paths), pasted as hex. */
const V = {
  np_f8_2x3_p2: [
    '8002636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a710063',
    '6e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100',
    '000062710458060000006c6174696e317105867106527107877108527109284b014b024b0386710a636e',
    '756d70790a64747970650a710b58020000006638710c898887710d52710e284b0358010000003c710f4e',
    '4e4e4affffffff4affffffff4b007471106289680358310000000000000000000000000000000000c3b0',
    '3f0000000000000040000000000000084000000000000010400000000000001440711168058671125271',
    '13747114622e',
  ].join(''),
  np_u2_p4: [
    '8004958f000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b03859468038c0564747970659493948c02753294898887945294284b038c013c944e4e4e4a',
    'ffffffff4affffffff4b0074946289430601000200ffff947494622e',
  ].join(''),
  np_be_i4_p3: [
    '8003636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a710063',
    '6e756d70790a6e6461727261790a71014b008571024301627103877104527105284b014b03857106636e',
    '756d70790a64747970650a7107580200000069347108898887710952710a284b0358010000003e710b4e',
    '4e4e4affffffff4affffffff4b0074710c6289430c00000001fffffffe00000003710d74710e622e',
  ].join(''),
  np_fortran_p4: [
    '80049597000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b024b03869468038c0564747970659493948c02693294898887945294284b038c013c944e4e',
    '4e4affffffff4affffffff4b0074946288430c000003000100040002000500947494622e',
  ].join(''),
  np_bool_p4: [
    '8004958c000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b03859468038c0564747970659493948c02623194898887945294284b038c017c944e4e4e4a',
    'ffffffff4affffffff4b00749462894303010001947494622e',
  ].join(''),
  np_0d_p4: [
    '8004958e000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b012968038c0564747970659493948c02663894898887945294284b038c013c944e4e4e4affffff',
    'ff4affffffff4b007494628943080000000000000440947494622e',
  ].join(''),
  np_i8_p4: [
    '80049599000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b02859468038c0564747970659493948c02693894898887945294284b038c013c944e4e4e4a',
    'ffffffff4affffffff4b00749462894310ffffffffffffffff0000000000000040947494622e',
  ].join(''),
  np_scalar_p2: [
    '80025d710028636e756d70792e5f636f72652e6d756c746961727261790a7363616c61720a7101636e75',
    '6d70790a64747970650a71025802000000663871038988877104527105284b0358010000003c71064e4e',
    '4e4affffffff4affffffff4b0074710762635f636f646563730a656e636f64650a710858090000000000',
    '00000000c3b83f710958060000006c6174696e31710a86710b52710c86710d52710e6801680258020000',
    '006938710f8988877110527111284b0368064e4e4e4affffffff4affffffff4b00747112626808581000',
    '0000c3b9c3bfc3bfc3bfc3bfc3bfc3bfc3bf7113680a8671145271158671165271176801680258020000',
    '0062317118898887711952711a284b0358010000007c711b4e4e4e4affffffff4affffffff4b0074711c',
    '626808580100000001711d680a86711e52711f8671205271216801680258020000007538712289888771',
    '23527124284b0368064e4e4e4affffffff4affffffff4b00747125626808580900000000000000000000',
    'c2807126680a86712752712886712952712a6801680258020000006634712b898887712c52712d284b03',
    '68064e4e4e4affffffff4affffffff4b0074712e62680858050000000000c2803e712f680a8671305271',
    '31867132527133652e',
  ].join(''),
  np_p5_inband: [
    '8005957a000000000000008c136e756d70792e5f636f72652e6e756d65726963948c0b5f66726f6d6275',
    '6666657294939428960600000000000000000001000200948c056e756d7079948c056474797065949394',
    '8c02753294898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494624b0385948c01',
    '4394749452942e',
  ].join(''),
  np_p5_oob: [
    '8005956b000000000000008c136e756d70792e5f636f72652e6e756d65726963948c0b5f66726f6d6275',
    '6666657294939428978c056e756d7079948c0564747970659493948c02663494898887945294284b038c',
    '013c944e4e4e4affffffff4affffffff4b007494624b0485948c014394749452942e',
  ].join(''),
  np_p5_oob_buf: '000000000000803f0000004000004040',
  np_p5_oob_fortran: [
    '8005956d000000000000008c136e756d70792e5f636f72652e6e756d65726963948c0b5f66726f6d6275',
    '6666657294939428978c056e756d7079948c0564747970659493948c02753194898887945294284b038c',
    '017c944e4e4e4affffffff4affffffff4b007494624b024b0386948c014694749452942e',
  ].join(''),
  np_p5_oob_fortran_buf: '000301040205',
  np_p5_readonly: [
    '8005956c000000000000008c136e756d70792e5f636f72652e6e756d65726963948c0b5f66726f6d6275',
    '666665729493942897988c056e756d7079948c0564747970659493948c02753194898887945294284b03',
    '8c017c944e4e4e4affffffff4affffffff4b007494624b0385948c014394749452942e',
  ].join(''),
  np_p5_readonly_buf: '000102',
  np_object_p4: [
    '80049590000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b02859468038c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4a',
    'ffffffff4affffffff4b3f749462895d94284b018c016194657494622e',
  ].join(''),
  np_str_p4: [
    '8004958b000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b01859468038c0564747970659493948c02553294898887945294284b038c013c944e4e4e4b',
    '084b044b087494628943086100000062000000947494622e',
  ].join(''),
  np_complex_p4: [
    '8004959a000000000000008c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f726563',
    '6f6e7374727563749493948c056e756d7079948c076e6461727261799493944b00859443016294879452',
    '94284b014b01859468038c0564747970659493948c0363313694898887945294284b038c013c944e4e4e',
    '4affffffff4affffffff4b007494628943100000000000000000000000000000f03f947494622e',
  ].join(''),
  np_dtype_p4: [
    '80049537000000000000008c056e756d7079948c0564747970659493948c02663494898887945294284b',
    '038c013e944e4e4e4affffffff4affffffff4b007494622e',
  ].join(''),
}

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))

function array(value: PickleValue): NumpyArray {
  if (!isNumpyArray(value)) throw new Error(`not a numpy array: ${String(value)}`)
  return value
}

/** The parts of a raw capture, one array of zmq parts per message. */
function rawCapture(name: string): Uint8Array[][] {
  const file = readFileSync(path.resolve(process.cwd(), '../shared/fixtures', name))
  const messages: Uint8Array[][] = []
  decodeMultiple(file, (item: unknown) => {
    if (!Array.isArray(item) || !item.every((p) => p instanceof Uint8Array)) {
      throw new Error('not an array of byte strings')
    }
    messages.push(item)
  })
  return messages
}

describe('readPickle: numpy arrays', () => {
  it('reconstructs a 2-d float64 array (protocol 2: bytes through _codecs.encode)', () => {
    const a = array(readPickle(bytes(V.np_f8_2x3_p2)))
    expect(a.shape).toEqual([2, 3])
    expect(a.typestr).toBe('<f8')
    expect(a.dtype.name).toBe('float64')
    expect(a.data).toEqual(new Float64Array([0, 1, 2, 3, 4, 5]))
  })

  it('reconstructs uint16, int64 and bool arrays', () => {
    expect(array(readPickle(bytes(V.np_u2_p4))).data).toEqual(new Uint16Array([1, 2, 65535]))
    expect(array(readPickle(bytes(V.np_i8_p4))).data).toEqual(new BigInt64Array([-1n, 2n ** 62n]))
    const b = array(readPickle(bytes(V.np_bool_p4)))
    expect(b.typestr).toBe('|b1')
    expect(b.data).toEqual(new Uint8Array([1, 0, 1]))
  })

  it('swaps big-endian data to host order and keeps the wire dtype', () => {
    const a = array(readPickle(bytes(V.np_be_i4_p3)))
    expect(a.typestr).toBe('>i4')
    expect(a.dtype.littleEndian).toBe(false)
    expect(a.data).toEqual(new Int32Array([1, -2, 3]))
  })

  it('reorders a Fortran-ordered array into C order', () => {
    const a = array(readPickle(bytes(V.np_fortran_p4)))
    expect(a.shape).toEqual([2, 3])
    expect(a.data).toEqual(new Int16Array([0, 1, 2, 3, 4, 5]))
  })

  it('reads a 0-d array', () => {
    const a = array(readPickle(bytes(V.np_0d_p4)))
    expect(a.shape).toEqual([])
    expect(a.data).toEqual(new Float64Array([2.5]))
  })

  it('reads numpy scalars as plain numbers, bigints and booleans', () => {
    expect(readPickle(bytes(V.np_scalar_p2))).toEqual([1.5, -7, true, 2n ** 63n, 0.25])
  })

  it('reads a bare dtype as its type string', () => {
    expect(readPickle(bytes(V.np_dtype_p4))).toBe('>f4')
  })

  it('reads protocol 5 in-band (BYTEARRAY8) and out-of-band (NEXT_BUFFER) arrays', () => {
    expect(array(readPickle(bytes(V.np_p5_inband))).data).toEqual(new Uint16Array([0, 1, 2]))
    const oob = readPickle(bytes(V.np_p5_oob), { buffers: [bytes(V.np_p5_oob_buf)] })
    expect(array(oob).data).toEqual(new Float32Array([0, 1, 2, 3]))
    const f = readPickle(bytes(V.np_p5_oob_fortran), { buffers: [bytes(V.np_p5_oob_fortran_buf)] })
    expect(array(f).shape).toEqual([2, 3])
    expect(array(f).data).toEqual(new Uint8Array([0, 1, 2, 3, 4, 5]))
    const ro = readPickle(bytes(V.np_p5_readonly), { buffers: [bytes(V.np_p5_readonly_buf)] })
    expect(array(ro).data).toEqual(new Uint8Array([0, 1, 2]))
  })

  it('refuses NEXT_BUFFER when no buffer was passed', () => {
    expect(() => readPickle(bytes(V.np_p5_oob))).toThrow(/NEXT_BUFFER/)
  })

  it.each([
    ['object', V.np_object_p4, /dtype 'O8'/],
    ['unicode', V.np_str_p4, /dtype 'U2'/],
    ['complex', V.np_complex_p4, /dtype 'c16'/],
  ])('refuses %s arrays with a clear error', (_name, hex, message) => {
    expect(() => readPickle(bytes(hex))).toThrow(ProtocolError)
    expect(() => readPickle(bytes(hex))).toThrow(message)
  })
})

describe('readPickle: real device pickles', () => {
  it('reads every Xspress3 metadata list of the 2021 capture (protocol 3, numpy.core)', () => {
    const metas = rawCapture('xspress3-dump.cbors')
      .map((parts) => parts[0])
      .filter((p): p is Uint8Array => p !== undefined && p[0] === 0x80)
    expect(metas).toHaveLength(20)
    const first = readPickle(metas[0]!)
    if (!Array.isArray(first)) throw new Error('not a list')
    expect(first).toHaveLength(8)
    // values as numpy prints them for frame 0
    expect(array(first[1]!).data).toEqual(new Uint32Array([2, 0, 0, 3]))
    expect(array(first[3]!).data).toEqual(new Uint32Array([7999990, 7999990, 7999990, 7999990]))
    expect(array(first[6]!).data).toEqual(new Int32Array([6, 6, 6, 6]))
    expect(array(first[0]!).data[3]).toBeCloseTo(1.56250195e-15, 22)
    expect(array(first[7]!).data[0]).toBeCloseTo(1.00000175, 8)
    for (const meta of metas) expect(readPickle(meta)).toHaveLength(8)
  })

  it('reads the Contrast running points (protocol 2 OrderedDict with numpy arrays)', () => {
    const messages = rawCapture('contrast-dump.cbors').map((parts) => readPickle(parts[0]!))
    const point = messages[2]
    if (!isPickleDict(point) || !isPickleDict(point.pseudo)) throw new Error('not a dict')
    expect(Object.keys(point)).toEqual(['sx', 'sy', 'pseudo', 'panda0', 'xspress3', 'dt', 'status'])
    expect(point.sx).toBe(-2.000431059888797)
    expect(point.status).toBe('running')
    expect(array(point.pseudo.x ?? null).data[0]).toBeCloseTo(-2.00405186, 8)
  })
})
