import type { NoticeKind } from './upstream-notices.js'

/**
 * Per-stream counters of one scan at one ingester: the plan counts deliveries and drops, the
 * session reads, upstream errors and what the frame matching dropped or marked.
 */
export interface StreamCounters {
  /** Upstream messages read. */
  read: number
  /** Frame deliveries to workers (one per worker a message went to), resends included. */
  forwarded: number
  /** Deliveries repeated after a re-route or a late hello. */
  resent: number
  /** Messages read and discarded (`[]` routes). */
  dropped: number
  /** Upstream errors (the device lost, a failed read). */
  errors: number
  /** Malformed upstream messages dropped (never given an event). */
  invalid: number
  /** Frames dropped because their frame number was already served. */
  duplicates: number
  /** Events sent a missing-frame marker: their frame never came from the device. */
  missing: number
  /** Frames dropped because the scan has no event for them. */
  surplus: number
}

/** Counters of a stream that has read nothing yet. */
export function zeroCounters(): StreamCounters {
  return {
    read: 0,
    forwarded: 0,
    resent: 0,
    dropped: 0,
    errors: 0,
    invalid: 0,
    duplicates: 0,
    missing: 0,
    surplus: 0,
  }
}

/** The running count a notice of `kind` reports. */
export function countOf(counters: StreamCounters, kind: NoticeKind): number {
  switch (kind) {
    case 'invalid':
      return counters.invalid
    case 'duplicate':
      return counters.duplicates
    case 'gap':
      return counters.missing
    case 'surplus':
      return counters.surplus
  }
}
