import type { ResultAck, ResultBatch, ScanId } from '../src/internal.js'
import { DATA_PLANE_VERSION } from '../src/internal.js'

/** One worker session as the reducer knows it. */
interface Session {
  readonly worker: string
  /** Routing id of the connection its latest batch came on (acks go there). */
  from: Uint8Array | undefined
  /** Every batch numbered at or below is reduced. */
  reduced: number
  /** Every batch numbered at or below is in a written snapshot. */
  durable: number
  /** Batches above `reduced` already reduced (out of order, after a loss). */
  ahead: Set<number> | undefined
}

/** A session's marks as saved in a snapshot: `[session, worker, reduced]`. */
export type SessionMark = readonly [session: string, worker: string, reduced: number]

/**
 * The worker sessions of one scan on the reducer and how far each one's batches are reduced
 * and durable, for the acknowledgements (`ResultAck`). Pure; the reducer calls it from its
 * lane. Batches are counted, never trusted for identity: exactly-once comes from the (event,
 * slot) filter; the numbers only say what a worker may forget.
 */
export class SessionBook {
  readonly #scan: ScanId
  readonly #sessions = new Map<string, Session>()

  constructor(scan: ScanId, restored: readonly SessionMark[] = []) {
    this.#scan = scan
    for (const [session, worker, reduced] of restored) {
      this.#sessions.set(session, {
        worker,
        from: undefined,
        reduced,
        durable: reduced,
        ahead: undefined,
      })
    }
  }

  /** Sessions known. */
  get size(): number {
    return this.#sessions.size
  }

  /**
   * A batch was reduced (every item handled or dropped as a duplicate). Resolves the ack to send
   * back to where it came from.
   */
  reduced(batch: ResultBatch, from: Uint8Array): ResultAck {
    let s = this.#sessions.get(batch.session)
    if (s === undefined) {
      s = { worker: batch.worker, from, reduced: -1, durable: -1, ahead: undefined }
      this.#sessions.set(batch.session, s)
    }
    s.from = from
    // Below the floor the worker has forgotten everything: it was durable somewhere.
    const floor = batch.floor - 1
    if (floor > s.durable) s.durable = floor
    if (floor > s.reduced) s.reduced = floor
    if (batch.seq === s.reduced + 1) {
      s.reduced = batch.seq
      while (s.ahead?.delete(s.reduced + 1)) s.reduced++
    } else if (batch.seq > s.reduced + 1) {
      s.ahead ??= new Set()
      s.ahead.add(batch.seq)
    }
    if (s.ahead !== undefined) for (const seq of s.ahead) if (seq <= s.reduced) s.ahead.delete(seq)
    return this.#ack(batch.session, s)
  }

  /** How far every session is reduced now: what a snapshot taken now makes durable. */
  marks(): SessionMark[] {
    const out: SessionMark[] = []
    for (const [session, s] of this.#sessions) out.push([session, s.worker, s.reduced])
    return out
  }

  /**
   * A snapshot holding `marks` was written: those batches are durable. Resolves the acks to
   * send (sessions whose durable mark moved), with the routing id of each.
   */
  durable(marks: readonly SessionMark[]): { to: Uint8Array; ack: ResultAck }[] {
    const out: { to: Uint8Array; ack: ResultAck }[] = []
    for (const [session, , reduced] of marks) {
      const s = this.#sessions.get(session)
      if (s === undefined || reduced <= s.durable) continue
      s.durable = reduced
      if (s.from !== undefined) out.push({ to: s.from, ack: this.#ack(session, s) })
    }
    return out
  }

  #ack(session: string, s: Session): ResultAck {
    return {
      v: DATA_PLANE_VERSION,
      kind: 'ack',
      scan: this.#scan,
      session,
      reduced: s.reduced,
      durable: s.durable,
    }
  }
}
