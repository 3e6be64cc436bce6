import type { CurveKeys } from './curve-keys.js'

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
   * ZMTP heartbeat interval in milliseconds; 0 (the default) disables them. They are off on
   * purpose: libzmq stops reading a connection whose receive queue is full, so a peer that is
   * only busy (a reducer deep in a backlog) stops answering heartbeats and would be cut off,
   * losing what was on the wire. Liveness comes from the registry's heartbeats on the control
   * plane, a dead process's connections close with it, and TCP keepalive finds vanished hosts.
   */
  readonly heartbeatIntervalMs?: number
  /** See `heartbeatIntervalMs`. */
  readonly heartbeatTimeoutMs?: number
  /**
   * The deployment's CURVE key pair (`DATA_PLANE_KEY_FILE`): when set, the socket encrypts and
   * authenticates every connection, and a peer without the key cannot connect. Unset: plain TCP.
   */
  readonly curve?: CurveKeys | undefined
}

/** zeromq v6 CURVE options of one data-plane socket. */
export interface ZmqCurveOptions {
  curveServer?: boolean
  curveSecretKey?: string
  curvePublicKey?: string
  curveServerKey?: string
}

/**
 * The CURVE options for `keys` (pure): a `server` (the binding ROUTERs of ingesters and the
 * reducer) serves with the secret key; a `client` (a worker's DEALERs) names the server's key
 * and authenticates with the same pair. No keys: none.
 */
export function zmqCurveOptions(
  keys: CurveKeys | undefined,
  role: 'server' | 'client',
): ZmqCurveOptions {
  if (keys === undefined) return {}
  if (role === 'server') return { curveServer: true, curveSecretKey: keys.secretKey }
  return {
    curveServerKey: keys.publicKey,
    curvePublicKey: keys.publicKey,
    curveSecretKey: keys.secretKey,
  }
}

/** The defaults of {@link DataSocketOptions}. */
export const DATA_SOCKET_DEFAULTS = {
  sendHighWaterMark: 64,
  receiveHighWaterMark: 64,
  heartbeatIntervalMs: 0,
  heartbeatTimeoutMs: 5000,
} as const satisfies Required<Omit<DataSocketOptions, 'curve'>>

/**
 * TCP keepalive on every data socket: a peer whose host vanished (no FIN, no RST) is found
 * after about `idle + interval × count` = 10 + 5 × 3 seconds without traffic.
 */
const TCP_KEEPALIVE = {
  tcpKeepalive: 1,
  tcpKeepaliveIdle: 10,
  tcpKeepaliveInterval: 5,
  tcpKeepaliveCount: 3,
} as const

/** The zeromq v6 options every data-plane socket takes: ZMTP heartbeats and TCP keepalive. */
function liveness(options: DataSocketOptions): typeof TCP_KEEPALIVE & {
  heartbeatInterval: number
  heartbeatTimeout: number
  heartbeatTimeToLive: number
} {
  const heartbeatTimeout = options.heartbeatTimeoutMs ?? DATA_SOCKET_DEFAULTS.heartbeatTimeoutMs
  return {
    ...TCP_KEEPALIVE,
    heartbeatInterval: options.heartbeatIntervalMs ?? DATA_SOCKET_DEFAULTS.heartbeatIntervalMs,
    heartbeatTimeout,
    // Tells the peer how long to wait for our heartbeats (ZMTP's TTL, 100 ms resolution).
    heartbeatTimeToLive: heartbeatTimeout,
  }
}

/**
 * zeromq v6 constructor options for {@link DataSocketOptions}, defaults applied. zeromq
 * refuses options a socket type does not have, so `direction` says which high-water marks
 * apply: `send` (PUSH), `receive` (PULL) or `both` (ROUTER, DEALER). `role` says which side of
 * a CURVE handshake the socket is (when `options.curve` is set).
 */
export function zmqSocketOptions(
  options: DataSocketOptions,
  direction: 'send' | 'receive' | 'both',
  role: 'server' | 'client' = 'client',
): ReturnType<typeof liveness> &
  ZmqCurveOptions & {
    sendHighWaterMark?: number
    receiveHighWaterMark?: number
  } {
  const send = options.sendHighWaterMark ?? DATA_SOCKET_DEFAULTS.sendHighWaterMark
  const receive = options.receiveHighWaterMark ?? DATA_SOCKET_DEFAULTS.receiveHighWaterMark
  const heartbeats = { ...liveness(options), ...zmqCurveOptions(options.curve, role) }
  if (direction === 'send') return { sendHighWaterMark: send, ...heartbeats }
  if (direction === 'receive') return { receiveHighWaterMark: receive, ...heartbeats }
  return { sendHighWaterMark: send, receiveHighWaterMark: receive, ...heartbeats }
}
