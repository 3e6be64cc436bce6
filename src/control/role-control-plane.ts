import type { ControlPlane } from './control-plane.js'
import { createLogStream } from './log-stream.js'
import type { ProcessRole } from './process-info.js'
import { createRedisControlPlane } from './redis-control-plane.js'

/** The least a logger must do to report the control plane's health (pino fits). */
export interface PlaneLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** Options of {@link createRoleControlPlane}. */
export interface RoleControlPlaneOptions {
  readonly url: string
  readonly keyPrefix: string
  readonly role: ProcessRole
  readonly name: string
  readonly logger: PlaneLogger
  /** How long `start()` waits for Redis before failing, ms (default: the plane's, 10 s). */
  readonly connectTimeoutMs?: number
}

/**
 * A process's Redis control plane that never fails silently (DESIGN.md "Nothing silent"): a
 * server not reachable at start-up is logged at WARNING with its URL while `start()` keeps
 * trying (it then fails naming the URL after `connectTimeoutMs`), a lost connection is logged at WARNING when it happens, its return with the outage's length,
 * and a server that came back without its data at ERROR. Both are also appended to the shared
 * log stream (`/api/v1/logs`) once the plane answers again, so operators see them in one place.
 */
export function createRoleControlPlane(options: RoleControlPlaneOptions): ControlPlane {
  const { logger, role, name } = options
  let lostAt: number | undefined
  let plane: ControlPlane | undefined
  const shared = (level: 'warn' | 'error', message: string): void => {
    if (plane === undefined || plane.state !== 'running') return
    createLogStream(plane)
      .append({ time: Date.now(), level, role, name, message })
      .catch((err: unknown) =>
        logger.warn({ err: String(err) }, 'could not append to the shared log'),
      )
  }
  plane = createRedisControlPlane(
    {
      url: options.url,
      keyPrefix: options.keyPrefix,
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
    },
    {
      onConnectRetrying: (err, { url, timeoutMs }) => {
        logger.warn(
          { err: err.message, url, timeoutMs },
          `control plane (Redis at ${url}) not reachable yet; trying for up to ${timeoutMs / 1000} s`,
        )
      },
      onConnectionChange: (change, cause) => {
        if (change === 'lost') {
          lostAt = Date.now()
          logger.warn(
            { err: cause?.message },
            'control plane (Redis) connection lost; reconnecting, commands wait',
          )
          return
        }
        const ms = lostAt === undefined ? 0 : Date.now() - lostAt
        lostAt = undefined
        const message = `control plane (Redis) connection lost for ${ms} ms, restored`
        logger.warn({ outageMs: ms }, message)
        shared('warn', message)
      },
      onDataLost: () => {
        const message =
          'the control plane (Redis) came back without its data (restarted without persistence, or flushed): running scans cannot go on'
        logger.error({}, message)
        shared('error', message)
      },
    },
  )
  return plane
}
