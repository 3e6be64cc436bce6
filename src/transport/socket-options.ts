/**
 * Tuning shared by the data-plane sockets. Every field has a default (see
 * {@link DATA_SOCKET_DEFAULTS}); the owner's config passes what it overrides.
 */
export interface DataSocketOptions {
  /**
   * Messages (whole multipart batches) queued per peer on the sending side before `send`
   * waits. One batch carries many events, so this is small; the ingester's byte-bounded
   * buffer is what bounds memory (every queued frame is also held there).
   */
  readonly sendHighWaterMark?: number
  /** Messages queued per peer on the receiving side before the sender has to wait. */
  readonly receiveHighWaterMark?: number
  /**
   * ZMTP heartbeat interval in milliseconds (0 disables). A peer silent for
   * `heartbeatTimeoutMs` loses its connection, so a dead worker becomes unreachable without
   * waiting for TCP timeouts. Heartbeats run on zmq's I/O thread: a busy event loop does not
   * stop them.
   */
  readonly heartbeatIntervalMs?: number
  /** See `heartbeatIntervalMs`. */
  readonly heartbeatTimeoutMs?: number
}

/** The defaults of {@link DataSocketOptions}. */
export const DATA_SOCKET_DEFAULTS = {
  sendHighWaterMark: 64,
  receiveHighWaterMark: 64,
  heartbeatIntervalMs: 1000,
  heartbeatTimeoutMs: 5000,
} as const satisfies Required<DataSocketOptions>

/** The zeromq v6 options every data-plane socket takes: ZMTP heartbeats. */
function heartbeatOptions(options: DataSocketOptions): {
  heartbeatInterval: number
  heartbeatTimeout: number
  heartbeatTimeToLive: number
} {
  const heartbeatTimeout = options.heartbeatTimeoutMs ?? DATA_SOCKET_DEFAULTS.heartbeatTimeoutMs
  return {
    heartbeatInterval: options.heartbeatIntervalMs ?? DATA_SOCKET_DEFAULTS.heartbeatIntervalMs,
    heartbeatTimeout,
    // Tells the peer how long to wait for our heartbeats (ZMTP's TTL, 100 ms resolution).
    heartbeatTimeToLive: heartbeatTimeout,
  }
}

/**
 * zeromq v6 constructor options for {@link DataSocketOptions}, defaults applied. zeromq
 * refuses options a socket type does not have, so `direction` says which high-water marks
 * apply: `send` (PUSH), `receive` (PULL) or `both` (ROUTER, DEALER).
 */
export function zmqSocketOptions(
  options: DataSocketOptions,
  direction: 'send' | 'receive' | 'both',
): {
  sendHighWaterMark?: number
  receiveHighWaterMark?: number
  heartbeatInterval: number
  heartbeatTimeout: number
  heartbeatTimeToLive: number
} {
  const send = options.sendHighWaterMark ?? DATA_SOCKET_DEFAULTS.sendHighWaterMark
  const receive = options.receiveHighWaterMark ?? DATA_SOCKET_DEFAULTS.receiveHighWaterMark
  const heartbeats = heartbeatOptions(options)
  if (direction === 'send') return { sendHighWaterMark: send, ...heartbeats }
  if (direction === 'receive') return { receiveHighWaterMark: receive, ...heartbeats }
  return { sendHighWaterMark: send, receiveHighWaterMark: receive, ...heartbeats }
}
