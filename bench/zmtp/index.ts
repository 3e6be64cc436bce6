/**
 * A minimal ZMTP 3.1 (RFC 37) over `node:net` for the large-frame benchmarks (issue 14): PULL
 * (connects) receiving into a pool of preallocated slabs, PUSH (binds) writing part buffers
 * uncopied, NULL mechanism only. Bench-only: not part of the engine, and not a zmq binding
 * (no CURVE, no ROUTER/DEALER, no reconnects).
 */

export { type ForwardOptions, forwardMessages } from './forward-messages.js'
export { PooledMessage, SlabPool, type SlabPoolOptions, type SlabPoolStats } from './slab-pool.js'
export { formatTcpEndpoint, parseTcpEndpoint, type TcpEndpoint } from './tcp-endpoint.js'
export {
  type PeerGreeting,
  ZmtpDecoder,
  type ZmtpDecoderEvents,
  type ZmtpDecoderLimits,
} from './zmtp-decoder.js'
export { isZmtpError, ZmtpError, type ZmtpErrorCode } from './zmtp-error.js'
export {
  createZmtpPull,
  type ZmtpPull,
  type ZmtpPullOptions,
  type ZmtpPullStats,
} from './zmtp-pull.js'
export {
  createZmtpPush,
  type WrittenCallback,
  type ZmtpPush,
  type ZmtpPushOptions,
  type ZmtpPushStats,
} from './zmtp-push.js'
export type { ZmtpSocketType } from './zmtp-wire.js'
