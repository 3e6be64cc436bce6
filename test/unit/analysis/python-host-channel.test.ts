import { describe, expect, it } from 'vitest'
import { frameMessage, MessageReader } from '../../../src/analysis/python/host-channel.js'

describe('the Python host channel framing', () => {
  it('splits messages across and within chunks, byte strings intact', () => {
    const a = frameMessage({
      op: 'events',
      items: [[1, false, { s: ['STINS', [Uint8Array.of(1, 2)]] }]],
    })
    const b = frameMessage({ outcomes: [['n']], done: true })
    const all = Buffer.concat([a, b])
    for (let cut = 0; cut <= all.length; cut++) {
      const reader = new MessageReader()
      const got = [...reader.push(all.subarray(0, cut)), ...reader.push(all.subarray(cut))]
      expect(got).toHaveLength(2)
      const [first] = got as { items: [number, boolean, { s: [string, Uint8Array[]] }][] }[]
      expect([...(first?.items[0]?.[2].s[1][0] ?? [])]).toEqual([1, 2])
      expect(got[1]).toEqual({ outcomes: [['n']], done: true })
    }
  })

  it('refuses a length over the limit', () => {
    const head = Buffer.alloc(4)
    head.writeUInt32LE(2 ** 31, 0)
    expect(() => new MessageReader().push(head)).toThrow(/message of 2147483648 bytes/)
  })
})
