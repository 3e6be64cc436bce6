import type { ControlPlane } from '../control/control-plane.js'
import { findRunningScan, readScanState, SCAN_UPDATES_MAX_LEN } from '../control/scan-follower.js'
import type { ScanId } from '../protocol/ids.js'
import type { ScanState, ScanUpdate } from '../protocol/scan-messages.js'
import { StreamField } from '../protocol/stream-field.js'

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
  return {
    write: async (state) => {
      await plane.set(plane.keys.scan(state.scanId), JSON.stringify(state))
    },
    read: (scanId) => readScanState(plane, scanId),
    announce: async (update) => {
      await plane.xadd(
        plane.keys.scanUpdates(),
        { [StreamField.update]: JSON.stringify(update) },
        { maxLen: SCAN_UPDATES_MAX_LEN },
      )
    },
    findRunning: async () => (await findRunningScan(plane)).running,
    retire: async (scanId, ttlMs) => {
      for (const key of await plane.scan(plane.keys.scanPattern(scanId))) {
        await plane.pexpire(key, ttlMs)
      }
    },
  }
}
