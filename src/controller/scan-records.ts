import type { ControlPlane } from '../control/control-plane.js'
import type { ScanId } from '../protocol/ids.js'
import { parseControlJson, ScanState, ScanUpdate } from '../protocol/scan-messages.js'

/** Entries kept in `scan-updates`. */
export const SCAN_UPDATES_MAX_LEN = 1_000

/**
 * The controller's typed access to a scan's records on the control plane: the `ScanState` key,
 * the `scan-updates` stream and the retention of an ended scan's keys.
 */
export interface ScanRecords {
  /** Write the state (JSON, no TTL while running). */
  write(state: ScanState): Promise<void>
  /** The state of a scan, or `undefined`. @throws ProtocolError when it does not parse. */
  read(scanId: ScanId): Promise<ScanState | undefined>
  /** Append an update to `scan-updates` (field `u`). */
  announce(update: ScanUpdate): Promise<void>
  /** The newest scan whose latest `started` update leads to a state still `running`. */
  findRunning(): Promise<ScanState | undefined>
  /** Let every key of an ended scan expire after `ttlMs`. */
  retire(scanId: ScanId, ttlMs: number): Promise<void>
}

/** Create the facade over a plane (no I/O until used). */
export function createScanRecords(plane: ControlPlane): ScanRecords {
  const read = async (scanId: ScanId): Promise<ScanState | undefined> => {
    const bytes = await plane.get(plane.keys.scan(scanId))
    return bytes === undefined ? undefined : parseControlJson(ScanState, bytes, 'scan state')
  }
  return {
    write: async (state) => {
      await plane.set(plane.keys.scan(state.scanId), JSON.stringify(state))
    },
    read,
    announce: async (update) => {
      await plane.xadd(
        plane.keys.scanUpdates(),
        { u: JSON.stringify(update) },
        { maxLen: SCAN_UPDATES_MAX_LEN },
      )
    },
    findRunning: async () => {
      const entries = await plane.xrevrange(plane.keys.scanUpdates(), { count: 100 })
      for (const entry of entries) {
        const parsed = ScanUpdate.safeParse(jsonOf(entry.fields.get('u')))
        if (!parsed.success || parsed.data.type !== 'started') continue
        const state = await read(parsed.data.scanId)
        return state?.status === 'running' ? state : undefined
      }
      return undefined
    },
    retire: async (scanId, ttlMs) => {
      for (const key of await plane.scan(plane.keys.scanPattern(scanId))) {
        await plane.pexpire(key, ttlMs)
      }
    },
  }
}

function jsonOf(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined) return undefined
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    // A malformed update is skipped: the schema check that follows refuses `undefined`.
    return undefined
  }
}
