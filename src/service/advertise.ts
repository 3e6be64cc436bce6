import { hostname } from 'node:os'

const WILDCARDS = new Set(['0.0.0.0', '*', '::', '[::]', ''])

/**
 * The address others should use for an endpoint this process bound (`tcp://0.0.0.0:5011`,
 * `http://[::]:5010`): the host is replaced by `advertiseHost` when one is given, or by the
 * machine's name when the endpoint's host is a wildcard; otherwise it is kept. Pure but for
 * `hostname()`.
 */
export function advertisedAddress(endpoint: string, advertiseHost?: string): string {
  const match = /^([a-z]+:\/\/)(\[[^\]]*\]|[^:/]*)(:\d+.*)?$/i.exec(endpoint)
  if (match === null) return endpoint
  const [, scheme, host = '', rest = ''] = match
  if (advertiseHost !== undefined) return `${scheme}${advertiseHost}${rest}`
  return WILDCARDS.has(host) ? `${scheme}${hostname()}${rest}` : endpoint
}

/** `http://host:port` of a server listening on `host` (IPv6 literals in brackets). */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`
}
