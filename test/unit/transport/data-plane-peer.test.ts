import { describe, expect, it } from 'vitest'
import { isBeamloomError } from '../../../src/errors.js'
import {
  decodeWorkerToIngester,
  encodeWorkerToIngester,
} from '../../../src/protocol/data-plane-peer.js'
import { WorkerName } from '../../../src/protocol/ids.js'

const worker = WorkerName.parse('worker-1')
const id = Buffer.from('worker-1')

describe('worker → ingester messages', () => {
  it('round-trips hello and bye as the ROUTER receives them', () => {
    for (const kind of ['hello', 'bye'] as const) {
      const body = encodeWorkerToIngester({ v: 2, kind, worker })
      expect(decodeWorkerToIngester([id, body])).toEqual({ v: 2, kind, worker })
    }
  })

  it.each([
    ['a missing body', [id], /expected 2 parts/],
    [
      'an extra part',
      [id, encodeWorkerToIngester({ v: 2, kind: 'hello', worker }), id],
      /expected 2 parts/,
    ],
    ['an unknown kind', [id, Buffer.from([0xa1, 0x61, 0x76, 0x01])], /invalid header/],
    [
      'a name other than the routing id',
      [Buffer.from('w2'), encodeWorkerToIngester({ v: 2, kind: 'hello', worker })],
      /connection of 'w2'/,
    ],
  ])('rejects %s', (_name, parts, reason) => {
    let caught: unknown
    try {
      decodeWorkerToIngester(parts)
    } catch (err) {
      caught = err
    }
    expect(isBeamloomError(caught, 'PROTOCOL_INVALID')).toBe(true)
    expect((caught as Error).message).toMatch(reason)
  })
})
