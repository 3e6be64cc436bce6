import { z } from 'zod'
import { ConfigError } from '../errors.js'
import type { ScanId } from '../protocol/ids.js'
import { ProcessRole } from './process-info.js'

/**
 * A control-plane key prefix: one segment (no `:`), so the keys of two prefixes can never
 * collide. `{` `}` are allowed for Redis Cluster hash tags (`{bl1}`).
 */
export const KeyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.{}-]{0,63}$/, 'letters, digits and _.{}- only; 1–64 chars')
export type KeyPrefix = z.infer<typeof KeyPrefix>

/**
 * Encode one dynamic key segment (a name or id): percent-encoding keeps `:` and the glob
 * characters `*?[]\` out of keys, so a name can neither forge another key nor widen a pattern.
 */
function segment(value: string): string {
  if (value === '') throw new ConfigError('a control-plane key segment must not be empty')
  return encodeURIComponent(value).replaceAll('*', '%2A')
}

/** Decode a segment made by {@link segment}. */
export function decodeKeySegment(value: string): string {
  return decodeURIComponent(value)
}

/**
 * Every control-plane key of beamloom, built under one prefix. Functions that end in a pattern
 * (`…Pattern`) return `SCAN MATCH` globs; everything else is a concrete key.
 *
 * Layout (`P` = prefix, `{x}` = percent-encoded segment):
 * - `P:process:{role}:{name}` — a live process (value: its info, TTL = heartbeat lease)
 * - `P:process-events` — stream of joins and clean leaves
 * - `P:parameters` — the current parameter set (persistent); `P:parameter-changes` — its feed
 * - `P:logs` — structured log stream
 * - `P:controller-lease` — the active controller's lease
 * - `P:epoch` — a random id written once; a plane that finds it gone or changed after a
 *   reconnection knows the server lost its data
 * - `P:scan-updates` — stream of scan lifecycle updates
 * - `P:scan-number` — the number of the last scan started (a counter, persistent)
 * - `P:scan:{scanId}:state|assignments|completions|credits|ingester:{name}|reducer-state` — one
 *   scan (`reducer-state`: the reducer's latest durable snapshot)
 */
export interface ControlKeys {
  readonly prefix: KeyPrefix
  process(role: ProcessRole, name: string): string
  processesPattern(role?: ProcessRole): string
  processEvents(): string
  parameters(): string
  parameterChanges(): string
  logs(): string
  controllerLease(): string
  epoch(): string
  scanUpdates(): string
  scanNumber(): string
  scan(scanId: ScanId): string
  assignments(scanId: ScanId): string
  completions(scanId: ScanId): string
  credits(scanId: ScanId): string
  ingester(scanId: ScanId, name: string): string
  reducerState(scanId: ScanId): string
  scanPattern(scanId: ScanId): string
  allPattern(): string
  /** Role and name back from a key made by `process()`; `undefined` for any other key. */
  parseProcess(key: string): { role: ProcessRole; name: string } | undefined
}

/**
 * The one key builder. Every key anywhere in beamloom comes from here.
 * @throws ConfigError `CONFIG_INVALID` for a prefix that does not match {@link KeyPrefix}.
 */
export function controlKeys(prefix: string): ControlKeys {
  const parsed = KeyPrefix.safeParse(prefix)
  if (!parsed.success) {
    throw new ConfigError(`invalid control-plane key prefix '${prefix}': ${parsed.error.message}`)
  }
  const p = parsed.data
  const scanBase = (scanId: ScanId): string => `${p}:scan:${segment(scanId)}`
  const processHead = `${p}:process:`
  return {
    prefix: p,
    process: (role, name) => `${processHead}${role}:${segment(name)}`,
    processesPattern: (role) => (role ? `${processHead}${role}:*` : `${processHead}*`),
    processEvents: () => `${p}:process-events`,
    parameters: () => `${p}:parameters`,
    parameterChanges: () => `${p}:parameter-changes`,
    logs: () => `${p}:logs`,
    controllerLease: () => `${p}:controller-lease`,
    epoch: () => `${p}:epoch`,
    scanUpdates: () => `${p}:scan-updates`,
    scanNumber: () => `${p}:scan-number`,
    scan: (scanId) => `${scanBase(scanId)}:state`,
    assignments: (scanId) => `${scanBase(scanId)}:assignments`,
    completions: (scanId) => `${scanBase(scanId)}:completions`,
    credits: (scanId) => `${scanBase(scanId)}:credits`,
    ingester: (scanId, name) => `${scanBase(scanId)}:ingester:${segment(name)}`,
    reducerState: (scanId) => `${scanBase(scanId)}:reducer-state`,
    scanPattern: (scanId) => `${scanBase(scanId)}:*`,
    allPattern: () => `${p}:*`,
    parseProcess: (key) => {
      if (!key.startsWith(processHead)) return undefined
      const [role, name, ...rest] = key.slice(processHead.length).split(':')
      const parsedRole = ProcessRole.safeParse(role)
      if (!parsedRole.success || name === undefined || rest.length > 0) return undefined
      return { role: parsedRole.data, name: decodeKeySegment(name) }
    },
  }
}
