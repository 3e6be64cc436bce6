import { z } from 'zod'
import { parseConfig } from '../config/role-env.js'
import { Controller } from './controller.js'
import type { ControllerConfig } from './controller-config.js'
import type { ControllerDeps } from './controller-types.js'

const positiveInt = z.int().positive()

/** What {@link createController} checks of its config (other fields are the process's). */
const ControllerServiceConfig = z.object({
  name: z.string().min(1),
  lookaheadEvents: positiveInt,
  horizonEvents: positiveInt,
  scanRetentionMs: positiveInt,
  stallWarnMs: positiveInt.optional(),
  stallTimeoutMs: z.int().nonnegative().optional(),
  eventAttempts: positiveInt.optional(),
  limits: z
    .object({ maxEvents: positiveInt, maxMapEvents: positiveInt, maxSequenceLength: positiveInt })
    .optional(),
  allowUndescribedParameters: z.boolean().optional(),
  url: z
    .union([z.string(), z.custom<() => string | undefined>((v) => typeof v === 'function')])
    .optional(),
  controlPlane: z.object({ heartbeatMs: positiveInt }).optional(),
})

/**
 * Create the controller service (not started): it registers as `config.name`, resumes a running
 * scan left by a previous controller, and owns every scan started through it.
 * @throws ConfigError `CONFIG_INVALID` for an invalid config (before anything opens).
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
  const checked = parseConfig(ControllerServiceConfig, config, 'controller config')
  return new Controller(
    {
      name: checked.name,
      lookaheadEvents: checked.lookaheadEvents,
      horizonEvents: checked.horizonEvents,
      scanRetentionMs: checked.scanRetentionMs,
      ...(checked.stallWarnMs === undefined ? {} : { stallWarnMs: checked.stallWarnMs }),
      ...(checked.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: checked.stallTimeoutMs }),
      ...(checked.eventAttempts === undefined ? {} : { eventAttempts: checked.eventAttempts }),
      ...(checked.limits === undefined ? {} : { limits: checked.limits }),
      ...(checked.allowUndescribedParameters === undefined
        ? {}
        : { allowUndescribedParameters: checked.allowUndescribedParameters }),
      url: checked.url,
      ...(checked.controlPlane === undefined
        ? {}
        : { heartbeatMs: checked.controlPlane.heartbeatMs }),
    },
    deps,
  )
}
