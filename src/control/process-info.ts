import { z } from 'zod'

/** The roles a beamloom process can have. */
export const ProcessRole = z.enum(['controller', 'ingester', 'worker', 'reducer'])
export type ProcessRole = z.infer<typeof ProcessRole>

/**
 * What a live process publishes about itself in the registry (JSON under its process key).
 * Unknown fields are dropped rather than refused, so a newer process can add fields without
 * breaking older readers during a rolling upgrade.
 */
export const ProcessInfo = z.object({
  role: ProcessRole,
  name: z.string().min(1),
  /** Random per registration: tells a restarted process from the one it replaces. */
  instanceId: z.string().min(1),
  /** Capabilities (workers): which virtual workers it may serve. */
  tags: z.array(z.string().min(1)),
  /** Where to reach it (HTTP API of controller and reducer, for example). */
  url: z.string().optional(),
  /** Streams it serves (ingesters). */
  streams: z.array(z.string().min(1)).optional(),
  /** Named endpoints others connect to (`{ data: 'tcp://10.0.0.5:40123' }`). */
  endpoints: z.record(z.string(), z.string()).optional(),
  /**
   * The ingesters it has a data link to (workers): name and registry instance id of each, so a
   * restarted ingester is not taken for the one the link was made to. Dranspose's `ingesters`.
   */
  ingesters: z
    .array(z.object({ name: z.string().min(1), instanceId: z.string().min(1) }))
    .optional(),
  /**
   * Its analysis module (workers, reducer): the spec as given and the SHA-256 of the file, so
   * result files can say which code made them.
   */
  module: z.object({ spec: z.string().min(1), sha256: z.string().min(1) }).optional(),
  /** Parameter descriptions of its analysis (workers, reducer), JSON form. */
  parameters: z.array(z.unknown()).optional(),
  /** Named ports it bound (`{ data: 40123 }`). */
  ports: z.record(z.string(), z.number().int().min(0).max(65_535)).optional(),
  version: z.string().optional(),
  /** Epoch milliseconds. */
  startedAt: z.number(),
  pid: z.number().int(),
  host: z.string(),
  /** Its heartbeat period; the key's TTL is a multiple of it. */
  heartbeatMs: z.number().int().positive(),
})
export type ProcessInfo = z.infer<typeof ProcessInfo>

/** An entry of the process-events stream: a join, a clean leave, or changed info. */
export const ProcessEvent = z.object({
  type: z.enum(['joined', 'left', 'updated']),
  role: ProcessRole,
  name: z.string().min(1),
  instanceId: z.string().min(1),
})
export type ProcessEvent = z.infer<typeof ProcessEvent>

/** What a registry watcher reports. `expired`: it stopped heartbeating and was declared gone. */
export type ProcessChange =
  | { readonly type: 'joined' | 'updated'; readonly process: ProcessInfo }
  | { readonly type: 'left'; readonly process: ProcessInfo; readonly reason: 'closed' | 'expired' }
