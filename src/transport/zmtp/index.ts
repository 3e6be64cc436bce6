export { formatTcpEndpoint, parseTcpEndpoint, type TcpEndpoint } from './tcp-endpoint.js'
export {
  type PeerGreeting,
  ZmtpDecoder,
  type ZmtpDecoderEvents,
  type ZmtpDecoderLimits,
} from './zmtp-decoder.js'
export { isZmtpError, ZmtpError, type ZmtpErrorCode } from './zmtp-error.js'
export * from './zmtp-wire.js'
