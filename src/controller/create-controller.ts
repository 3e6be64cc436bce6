import { Controller } from './controller.js'
import type { ControllerConfig } from './controller-config.js'
import type { ControllerDeps } from './controller-types.js'

/**
 * Create the controller service (not started): it registers as `config.name`, resumes a running
 * scan left by a previous controller, and owns every scan started through it.
 */
export function createController(
  config: Pick<ControllerConfig, 'name' | 'lookaheadEvents' | 'horizonEvents' | 'scanRetentionMs'> &
    Partial<
      Pick<
        ControllerConfig,
        'stallWarnMs' | 'stallTimeoutMs' | 'eventAttempts' | 'limits' | 'allowUndescribedParameters'
      >
    > & {
      /** Its HTTP API, published in the registry (a function: read when it registers). */
      readonly url?: string | (() => string | undefined) | undefined
      readonly controlPlane?: { readonly heartbeatMs: number }
    },
  deps: ControllerDeps,
): Controller {
  return new Controller(
    {
      name: config.name,
      lookaheadEvents: config.lookaheadEvents,
      horizonEvents: config.horizonEvents,
      scanRetentionMs: config.scanRetentionMs,
      ...(config.stallWarnMs === undefined ? {} : { stallWarnMs: config.stallWarnMs }),
      ...(config.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: config.stallTimeoutMs }),
      ...(config.eventAttempts === undefined ? {} : { eventAttempts: config.eventAttempts }),
      ...(config.limits === undefined ? {} : { limits: config.limits }),
      ...(config.allowUndescribedParameters === undefined
        ? {}
        : { allowUndescribedParameters: config.allowUndescribedParameters }),
      url: config.url,
      ...(config.controlPlane === undefined
        ? {}
        : { heartbeatMs: config.controlPlane.heartbeatMs }),
    },
    deps,
  )
}
