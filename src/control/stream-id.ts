import { ConfigError } from '../errors.js'
import type { StreamEntryId } from './control-plane.js'

/** A stream id as numbers: milliseconds and sequence within that millisecond. */
export interface StreamIdParts {
  readonly ms: number
  readonly seq: number
}

const ID = /^(\d+)(?:-(\d+))?$/

/**
 * Parse `<ms>-<seq>` (or `<ms>` alone, whose sequence is `missingSeq`).
 * @throws ConfigError `CONFIG_INVALID` for anything else.
 */
export function parseStreamId(id: string, missingSeq = 0): StreamIdParts {
  const match = ID.exec(id)
  const ms = Number(match?.[1])
  const seq = match?.[2] === undefined ? missingSeq : Number(match[2])
  if (!match || !Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) {
    throw new ConfigError(`invalid stream entry id '${id}'`)
  }
  return { ms, seq }
}

/** Negative, zero or positive as `a` is before, equal to or after `b` (pure). */
export function compareStreamIds(a: StreamEntryId, b: StreamEntryId): number {
  const pa = parseStreamId(a)
  const pb = parseStreamId(b)
  return pa.ms - pb.ms || pa.seq - pb.seq
}

/** Format parts as an id. */
export function formatStreamId(parts: StreamIdParts): StreamEntryId {
  return `${parts.ms}-${parts.seq}`
}

/**
 * A range bound of `xrange` as an inclusive predicate: `-`, `+`, `id`, `ms` or `(id`.
 * @throws ConfigError `CONFIG_INVALID` for a malformed bound.
 */
export function rangeBound(bound: string, side: 'start' | 'end'): (id: StreamIdParts) => boolean {
  if (bound === '-') return () => true
  if (bound === '+') return () => true
  const exclusive = bound.startsWith('(')
  const at = parseStreamId(
    exclusive ? bound.slice(1) : bound,
    side === 'start' ? 0 : Number.MAX_SAFE_INTEGER,
  )
  return (id) => {
    const c = id.ms - at.ms || id.seq - at.seq
    if (side === 'start') return exclusive ? c > 0 : c >= 0
    return exclusive ? c < 0 : c <= 0
  }
}
