import { type PickleInput, parseDecimalFloat, parseDecimalInt } from './pickle-input.js'
import { Op } from './pickle-opcodes.js'
import { decodeRawUnicodeEscape, decodeStringLiteral } from './pickle-text.js'

/** Returned by `readAtom` for opcodes that are not atoms. */
export const NOT_AN_ATOM: unique symbol = Symbol('not an atom')

/** An atom: a value an opcode pushes by itself, reading only its own argument. */
export type PickleAtom = null | boolean | number | bigint | string | Uint8Array

/**
 * Reads the argument of an atom opcode (None, bools, ints, floats, strings, bytes) and
 * returns its value, or `NOT_AN_ATOM` (reading nothing) for any other opcode.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a truncated or malformed argument.
 */
export function readAtom(op: number, input: PickleInput): PickleAtom | typeof NOT_AN_ATOM {
  switch (op) {
    case Op.NONE:
      return null
    case Op.NEWTRUE:
      return true
    case Op.NEWFALSE:
      return false
    case Op.INT: {
      const text = input.line('INT')
      if (text === '01' || text === '00') return text === '01'
      return parseDecimalInt(text, 'INT')
    }
    case Op.LONG:
      return parseDecimalInt(input.line('LONG'), 'LONG')
    case Op.BININT:
      return input.i32()
    case Op.BININT1:
      return input.u8('BININT1')
    case Op.BININT2:
      return input.u16()
    case Op.LONG1:
      return input.long(input.u8('LONG1'))
    case Op.LONG4:
      return input.long(input.i32())
    case Op.FLOAT:
      return parseDecimalFloat(input.line('FLOAT'))
    case Op.BINFLOAT:
      return input.f64be()
    case Op.STRING:
      return decodeStringLiteral(input.line('STRING'))
    case Op.BINSTRING:
      return input.latin1(input.i32(), 'BINSTRING')
    case Op.SHORT_BINSTRING:
      return input.latin1(input.u8('length'), 'SHORT_BINSTRING')
    case Op.UNICODE:
      return decodeRawUnicodeEscape(input.line('UNICODE'))
    case Op.SHORT_BINUNICODE:
      return input.utf8(input.u8('length'), 'SHORT_BINUNICODE')
    case Op.BINUNICODE:
      return input.utf8(input.u32(), 'BINUNICODE')
    case Op.BINUNICODE8:
      return input.utf8(input.u64Length('BINUNICODE8'), 'BINUNICODE8')
    case Op.SHORT_BINBYTES:
      return input.take(input.u8('length'), 'SHORT_BINBYTES')
    case Op.BINBYTES:
      return input.take(input.u32(), 'BINBYTES')
    case Op.BINBYTES8:
      return input.take(input.u64Length('BINBYTES8'), 'BINBYTES8')
    case Op.BYTEARRAY8:
      return input.take(input.u64Length('BYTEARRAY8'), 'BYTEARRAY8').slice()
    default:
      return NOT_AN_ATOM
  }
}
