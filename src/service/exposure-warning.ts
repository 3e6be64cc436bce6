import type { Logger } from 'pino'

/** Whether `host` is a loopback address or name (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * The warning an HTTP server bound to `host` without a token deserves, or `undefined` when it
 * binds loopback or has a token (pure). `what` names the server and `tokenEnv` its token.
 */
export function exposureWarning(
  what: string,
  host: string,
  token: string | undefined,
  tokenEnv: string,
): string | undefined {
  if (token !== undefined || isLoopbackHost(host)) return undefined
  return `${what} listens on ${host}, reachable from other machines, without a token: anyone on the network can use it (set ${tokenEnv})`
}

/** Log {@link exposureWarning} at WARNING, if there is one. */
export function warnIfExposed(
  logger: Pick<Logger, 'warn'>,
  what: string,
  host: string,
  token: string | undefined,
  tokenEnv: string,
): void {
  const text = exposureWarning(what, host, token, tokenEnv)
  if (text !== undefined) logger.warn({ host }, text)
}
