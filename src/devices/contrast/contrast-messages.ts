import { z } from 'zod'

/**
 * The dicts Contrast (MAX IV's scan control) publishes, pickled, one per zmq message. These
 * schemas check the fields beamloom reads; every other field passes through, because
 * Contrast adds one entry per motor and detector.
 */

/** `{'status': 'heartbeat'}` — sent while idle. */
export const ContrastHeartbeatDict = z.looseObject({ status: z.literal('heartbeat') })
export type ContrastHeartbeatDict = z.infer<typeof ContrastHeartbeatDict>

/** `status: 'started'` — a scan begins: where it writes, its number and its command line. */
export const ContrastStartedDict = z.looseObject({
  status: z.literal('started'),
  path: z.string(),
  scannr: z.number().int(),
  description: z.string(),
  snapshot: z.record(z.string(), z.unknown()).optional(),
})
export type ContrastStartedDict = z.infer<typeof ContrastStartedDict>

/**
 * `status: 'running'` — one scan point: `dt` (seconds since the scan started), then one
 * entry per motor (a number) and per detector (usually a dict of arrays or a link).
 */
export const ContrastRunningDict = z.looseObject({
  status: z.literal('running'),
  dt: z.number(),
})
export type ContrastRunningDict = z.infer<typeof ContrastRunningDict>

/** `status: 'finished'` — the scan completed; same fields as `started`. */
export const ContrastFinishedDict = z.looseObject({
  status: z.literal('finished'),
  path: z.string(),
  scannr: z.number().int(),
  description: z.string(),
  snapshot: z.record(z.string(), z.unknown()).optional(),
})
export type ContrastFinishedDict = z.infer<typeof ContrastFinishedDict>

/**
 * `status: 'interrupted'` — the scan was stopped. Dranspose does not model this message;
 * we accept it with the `finished` fields optional.
 */
export const ContrastInterruptedDict = z.looseObject({
  status: z.literal('interrupted'),
  path: z.string().optional(),
  scannr: z.number().int().optional(),
  description: z.string().optional(),
})
export type ContrastInterruptedDict = z.infer<typeof ContrastInterruptedDict>

/** Any Contrast message, discriminated on `status`. */
export const ContrastDict = z.discriminatedUnion('status', [
  ContrastHeartbeatDict,
  ContrastStartedDict,
  ContrastRunningDict,
  ContrastFinishedDict,
  ContrastInterruptedDict,
])
export type ContrastDict = z.infer<typeof ContrastDict>
