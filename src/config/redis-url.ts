import { z } from 'zod'
import { ConfigError } from '../errors.js'

/**
 * A parsed Redis URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS.
 * User name and password are percent-decoded.
 */
export interface RedisUrlParts {
  readonly host: string
  readonly port: number
  readonly username: string | undefined
  readonly password: string | undefined
  readonly db: number
  readonly tls: boolean
}

const DEFAULT_PORT = 6379

/**
 * Parse a Redis URL (pure).
 * @throws ConfigError `CONFIG_INVALID` for another scheme, a bad port or database number, or a
 * query string or fragment (options go in config, not in the URL).
 */
export function parseRedisUrl(text: string): RedisUrlParts {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new ConfigError(`invalid Redis URL '${redactRedisUrl(text)}'`, { cause })
  }
  const fail = (why: string): never => {
    throw new ConfigError(`invalid Redis URL '${redactRedisUrl(text)}': ${why}`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    fail(`scheme must be redis:// or rediss://, not ${url.protocol}//`)
  }
  if (url.hostname === '') fail('no host')
  if (url.search !== '' || url.hash !== '') fail('query strings and fragments are not supported')
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port)
  const dbText = url.pathname.replace(/^\//, '')
  if (!/^\d*$/.test(dbText)) fail(`database must be a number, not '${dbText}'`)
  const db = dbText === '' ? 0 : Number(dbText)
  return {
    // URL keeps IPv6 literals bracketed; sockets want them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
    tls: url.protocol === 'rediss:',
  }
}

/** The URL with its password replaced by `***`, safe for logs and error messages (pure). */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@')
}

/** Zod schema: a Redis URL string, parsed into its parts; issues name the problem. */
export const RedisUrl = z.string().transform((text, ctx): RedisUrlParts => {
  try {
    return parseRedisUrl(text)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) })
    return z.NEVER
  }
})
/** The parts of a Redis URL (see {@link parseRedisUrl}). */
export type RedisUrl = z.output<typeof RedisUrl>
