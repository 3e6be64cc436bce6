import type { ProcessRegistration } from '../control/process-registration.js'
import type { ProcessRegistry } from '../control/process-registry.js'
import { isBeamloomError } from '../errors.js'
import { retry } from '../service/retry.js'

/** Attempts before giving up on a name held by another live controller. */
const REGISTER_ATTEMPTS = 6

/**
 * Register the controller under its name. A crashed predecessor's key lives until its TTL runs
 * out, so a name that is taken is retried once per heartbeat a few times (longer than the TTL).
 * @throws StateError `STATE_INVALID` when another live controller keeps the name.
 */
export async function registerController(
  registry: ProcessRegistry,
  options: {
    readonly name: string
    readonly url?: string | (() => string | undefined) | undefined
  },
  heartbeatMs: number,
  signal: AbortSignal,
): Promise<ProcessRegistration> {
  const url = typeof options.url === 'function' ? options.url() : options.url
  const info = url === undefined ? {} : { url }
  return retry(() => registry.register({ role: 'controller', name: options.name, info }), {
    signal,
    attempts: REGISTER_ATTEMPTS,
    minMs: heartbeatMs,
    maxMs: heartbeatMs,
    retryable: (err) => isBeamloomError(err, 'STATE_INVALID'),
  })
}
