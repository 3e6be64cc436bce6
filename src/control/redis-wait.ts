import type { Redis } from 'ioredis'
import { ConfigError, UpstreamClosedError } from '../errors.js'
import { aborted } from '../service/abort.js'

// Reply errors that mean "these credentials will never work": retrying cannot help.
const AUTH_FAILURE = /^(WRONGPASS|NOAUTH|NOPERM)\b|\bAUTH\b/

/** What {@link waitReady} names and reports while it waits. */
export interface WaitReadyOptions {
  /** The server as errors name it (a URL without its password). */
  readonly url: string
  /** Called once, with the error, when the first connection attempt fails. */
  readonly onRetrying?: (err: Error) => void
}

/**
 * Connect a lazily-created connection and wait until it is ready.
 * Rejects with `CONFIG_INVALID` when the server refuses the credentials, `UPSTREAM_CLOSED`
 * (naming `url`) when it is not ready within `timeoutMs`, or the signal's reason; the
 * connection is then disconnected.
 */
export async function waitReady(
  conn: Redis,
  timeoutMs: number,
  signal: AbortSignal,
  options: WaitReadyOptions,
): Promise<void> {
  let lastError: Error | undefined
  let onError: (err: Error) => void = () => {}
  let onReady: () => void = () => {}
  let timer: NodeJS.Timeout | undefined
  const outcome = new Promise<void>((resolve, reject) => {
    onReady = resolve
    onError = (err) => {
      const first = lastError === undefined
      lastError = err
      if (err.name === 'ReplyError' && AUTH_FAILURE.test(err.message)) {
        reject(
          new ConfigError(`Redis at ${options.url} refused the credentials: ${err.message}`, {
            cause: err,
          }),
        )
      } else if (first) options.onRetrying?.(err)
    }
    timer = setTimeout(() => {
      const why = lastError ? `: ${lastError.message}` : ''
      reject(
        new UpstreamClosedError(
          `the control plane (Redis at ${options.url}) was not reachable within ${timeoutMs} ms${why}`,
          { cause: lastError },
        ),
      )
    }, timeoutMs)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })
  conn.on('error', onError)
  conn.once('ready', onReady)
  // Safe to ignore: a failed first attempt is retried by ioredis and reported through 'error'
  // events, which decide the outcome above.
  conn.connect().catch(() => {})
  try {
    await outcome
  } catch (err) {
    conn.disconnect()
    throw err
  } finally {
    clearTimeout(timer)
    conn.off('error', onError)
    conn.off('ready', onReady)
  }
}

/**
 * Close a connection: gracefully (`QUIT`, letting queued replies arrive) when it is ready and
 * the close is not forced, otherwise at once. A graceful close is cut short when `signal`
 * aborts (a forced close arriving later).
 */
export async function closeConnection(
  conn: Redis,
  force: boolean,
  signal: AbortSignal,
): Promise<void> {
  if (!force && conn.status === 'ready') {
    // Safe to ignore: QUIT failing means the connection is already gone, which is the goal.
    await Promise.race([conn.quit().catch(() => {}), aborted(signal)])
  }
  conn.disconnect()
}
