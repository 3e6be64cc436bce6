import { describe, expect, it } from 'vitest'
import {
  ALBAEM_TYP,
  AnalysisError,
  encodeAlbaemData,
  encodeAlbaemStart,
  isBeamloomError,
  ProtocolError,
  parseEvent,
  parseStream,
  rootErrorCode,
  streamOfError,
} from '../../../src/internal.js'
import { failedStream } from '../../../workers/failed-stream.js'

const good = { typ: ALBAEM_TYP, frames: encodeAlbaemStart({ messageId: 1 }) }
const bad = { typ: ALBAEM_TYP, frames: [new TextEncoder().encode('{"message_type": "data"')] }

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

describe('parse errors name their stream', () => {
  it('parseStream without a name throws the parser error as it is', () => {
    const err = thrown(() => parseStream(bad))
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).stream).toBeUndefined()
    expect((err as Error).message).toBe('AlbaEM message is not UTF-8 JSON')
  })

  it('parseStream with a name prefixes the message, keeps the code and sets stream', () => {
    const err = thrown(() => parseStream(bad, 'em')) as ProtocolError
    expect(err.message).toBe("stream 'em': AlbaEM message is not UTF-8 JSON")
    expect(err.stream).toBe('em')
    expect(err.code).toBe('PROTOCOL_INVALID')
    expect(err.cause).toBeInstanceOf(ProtocolError)
  })

  it('parseEvent parses every stream, and names the one that fails', () => {
    const data = {
      typ: ALBAEM_TYP,
      frames: encodeAlbaemData({
        messageId: 2,
        frameNumber: 0,
        timestamp: 1,
        acquisitionTimestampNs: 1,
        currents: [1, 2],
      }),
    }
    const ok = parseEvent({ streams: { a: good, b: data } })
    expect(Object.keys(ok)).toEqual(['a', 'b'])
    expect(ok.a?.kind).toBe('start')
    expect(ok.b).toMatchObject({ protocol: 'albaem', kind: 'data' })
    const err = thrown(() => parseEvent({ streams: { a: good, b: bad } }))
    expect(streamOfError(err)).toBe('b')
    expect(isBeamloomError(err, 'PROTOCOL_INVALID')).toBe(true)
  })

  it('streamOfError and rootErrorCode look through an AnalysisError, by shape', () => {
    const inner = thrown(() => parseStream(bad, 'em'))
    const wrapped = new AnalysisError('m.ts:W', 3, 'processEvent() failed', inner)
    expect(streamOfError(wrapped)).toBe('em')
    expect(rootErrorCode(wrapped)).toBe('PROTOCOL_INVALID')
    // An error from another copy of beamloom: same shape, different class.
    const foreign = Object.assign(new Error('x'), { code: 'DECODE_FAILED', stream: 'eiger' })
    const wrappedForeign = new AnalysisError('m.ts:W', 4, 'failed', foreign)
    expect(streamOfError(wrappedForeign)).toBe('eiger')
    expect(rootErrorCode(wrappedForeign)).toBe('DECODE_FAILED')
    expect(streamOfError(new Error('plain'))).toBeUndefined()
    expect(rootErrorCode(new Error('plain'))).toBeUndefined()
  })

  it('a failed event counts under the named stream, else under its only stream', () => {
    const named = thrown(() => parseStream(bad, 'b'))
    expect(failedStream(named, { a: good, b: bad })).toBe('b')
    expect(failedStream(new Error('user bug'), { a: good })).toBe('a')
    expect(failedStream(new Error('user bug'), { a: good, b: bad })).toBeUndefined()
  })
})
