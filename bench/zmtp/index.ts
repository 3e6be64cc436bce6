/**
 * The bare ZMTP chain of the large-frame benchmarks (issue 14), over the engine's own ZMTP
 * protocol code (`src/zmtp.ts`: greeting, framing, decoder): a PULL (connects) receiving into a
 * fixed pool of preallocated slabs, a PUSH (binds) writing part buffers uncopied, NULL
 * mechanism only, no reconnects. The ingester's device receive is `ZmtpDeviceReceiver` in
 * `src/transport/zmtp/`.
 */

export type { ZmtpSocketType } from '../../src/zmtp.js'
export {
  formatTcpEndpoint,
  isZmtpError,
  type PeerGreeting,
  parseTcpEndpoint,
  type TcpEndpoint,
  ZmtpDecoder,
  type ZmtpDecoderEvents,
  type ZmtpDecoderLimits,
  ZmtpError,
  type ZmtpErrorCode,
} from '../../src/zmtp.js'
export { type ForwardOptions, forwardMessages } from './forward-messages.js'
export { PooledMessage, SlabPool, type SlabPoolOptions, type SlabPoolStats } from './slab-pool.js'
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
