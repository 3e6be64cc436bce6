import { UpstreamClosedError } from '../errors.js'
import type { WorkerName } from '../protocol/ids.js'

/**
 * A message could not be routed: the worker is not connected to this ingester (never was, or
 * its connection is gone). zmq's `EHOSTUNREACH` on a ROUTER with mandatory routing.
 *
 * Code `UPSTREAM_CLOSED` until a dedicated code exists; tell it apart with `peer` or
 * {@link isPeerUnreachable}. The message was not sent; what to do (reassign, resend) is the
 * caller's decision.
 */
export class PeerUnreachableError extends UpstreamClosedError {
  /** The worker the message was for. */
  readonly peer: WorkerName

  constructor(peer: WorkerName, options?: { cause?: unknown }) {
    super(`worker '${peer}' is not connected`, options)
    this.peer = peer
  }
}

/** Guard: is this a {@link PeerUnreachableError}? */
export function isPeerUnreachable(err: unknown): err is PeerUnreachableError {
  return err instanceof PeerUnreachableError
}
