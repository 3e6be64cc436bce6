import { ZmtpError } from './zmtp-error.js'

/** Host and port of a TCP endpoint. */
export interface TcpEndpoint {
  readonly host: string
  readonly port: number
}

/**
 * Parse `tcp://host:port` (an IPv6 host in brackets), the form zeromq.js's `lastEndpoint`
 * reports. Throws `ZMTP_CONFIG` for anything else (other transports, wildcards, no port).
 */
export function parseTcpEndpoint(endpoint: string): TcpEndpoint {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/*[\]]+):(\d{1,5})$/.exec(endpoint)
  const port = Number(m?.[2])
  if (m === null || !(port > 0 && port < 65536)) {
    throw new ZmtpError('ZMTP_CONFIG', `not a tcp://host:port endpoint: ${endpoint}`)
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port }
}

/** `tcp://host:port` for a host and port (IPv6 hosts in brackets). */
export function formatTcpEndpoint(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`
}
