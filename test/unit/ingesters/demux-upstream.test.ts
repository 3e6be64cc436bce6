import { describe, expect, it } from 'vitest'
import { createDemuxUpstream, type MessageSource } from '../../../ingesters/base/demux-upstream.js'
import { s } from './plan-fixtures.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (parts: readonly Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p))
const partsOf = (message: { parts: readonly Uint8Array[] }) => text(message.parts)

/** A device sending `a:1|b:1` style messages: one part per stream. */
function source(messages: string[]): MessageSource {
  const left = [...messages]
  return {
    start: async () => {},
    close: async () => {},
    receive: async () => {
      const next = left.shift()
      if (next === undefined) throw new Error('no more messages')
      return next.split('|').map(bytes)
    },
  }
}

const split = (parts: readonly Uint8Array[]) =>
  parts.map((part) => ({
    stream: s(text([part])[0]!.split(':')[0]!),
    message: { kind: 'data' as const, parts: [part] },
  }))

describe('createDemuxUpstream', () => {
  it('hands out each stream its own frames in order', async () => {
    const up = createDemuxUpstream({
      source: source(['a:1|b:1', 'a:2|c:2|b:2']),
      split,
      streams: [s('a'), s('b')],
    })
    const signal = new AbortController().signal
    expect(partsOf(await up.next(s('b'), signal))).toEqual(['b:1'])
    expect(up.ready?.(s('a'))).toBe(true)
    expect(partsOf(await up.next(s('a'), signal))).toEqual(['a:1'])
    expect(partsOf(await up.next(s('a'), signal))).toEqual(['a:2'])
    expect(partsOf(await up.next(s('b'), signal))).toEqual(['b:2'])
    await expect(up.next(s('c'), signal)).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' })
  })

  it('fails instead of queueing without bound', async () => {
    const up = createDemuxUpstream({
      source: source(['a:1|b:1', 'a:2|b:2', 'a:3|b:3']),
      split,
      streams: [s('a'), s('b')],
      maxQueued: 1,
    })
    const signal = new AbortController().signal
    await up.next(s('a'), signal)
    await expect(up.next(s('a'), signal)).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' })
  })
})
