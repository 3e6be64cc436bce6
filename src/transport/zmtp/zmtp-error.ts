/**
 * Errors of the own ZMTP implementation (`src/transport/zmtp/`). Branch on `code`, never on the
 * message text. The bench's bare ZMTP processes load this module through `src/zmtp.ts` without
 * the engine (they should load what a bare zeromq.js process loads and no more), so this is a
 * class of its own rather than a `BeamloomError`; the ingester wraps it where it reports.
 */

/** What went wrong, stable strings. */
export type ZmtpErrorCode =
  /** The first ten bytes are not a ZMTP signature (`%xFF`, 8 bytes, `%x7F`). */
  | 'ZMTP_BAD_GREETING'
  /** The peer speaks ZMTP 1 or 2. */
  | 'ZMTP_BAD_VERSION'
  /** The peer's security mechanism is not NULL. */
  | 'ZMTP_BAD_MECHANISM'
  /** The peer's READY names no socket type, or one that cannot talk to ours. */
  | 'ZMTP_BAD_SOCKET_TYPE'
  /** Bytes that break the framing or command grammar (reserved bits, a message before READY…). */
  | 'ZMTP_PROTOCOL'
  /** A message, a command or a part count above the configured maximum. */
  | 'ZMTP_TOO_LARGE'
  /** The peer sent an ERROR command (its reason is in the message). */
  | 'ZMTP_PEER_ERROR'
  /** The peer closed the connection, or the connection failed. */
  | 'ZMTP_PEER_CLOSED'
  /** No complete greeting and READY within the handshake time. */
  | 'ZMTP_HANDSHAKE_TIMEOUT'
  /** An operation not allowed in this state (closed, released twice…). */
  | 'ZMTP_STATE'
  /** Options that cannot work (an endpoint that is not `tcp://host:port`, limits over a slab). */
  | 'ZMTP_CONFIG'

/** An error of the own ZMTP implementation, with a stable {@link ZmtpErrorCode}. */
export class ZmtpError extends Error {
  readonly code: ZmtpErrorCode

  constructor(code: ZmtpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'ZmtpError'
  }
}

/** Guard: a {@link ZmtpError}, with the given code when one is given. */
export function isZmtpError(err: unknown, code?: ZmtpErrorCode): err is ZmtpError {
  return err instanceof ZmtpError && (code === undefined || err.code === code)
}
