import type { ControlPlane, StreamEntry, StreamEntryId } from '../src/control/control-plane.js'
import { STREAM_START } from '../src/control/control-plane.js'
import type { ScanId } from '../src/index.js'
import { parseControlJson, ScanState, ScanUpdate } from '../src/protocol/scan-messages.js'

/** How far back a starting reducer looks for the running scan's `started` entry. */
const REJOIN_LOOKBACK = 1_000

/** Where a starting reducer begins following `scan-updates`. */
export interface RejoinPoint {
  /** The running scan to join at once (its `started` entry), if there is one. */
  readonly running?: ScanUpdate & { readonly type: 'started' }
  /** Follow the stream after this id. */
  readonly after: StreamEntryId
}

/**
 * Parse one `scan-updates` entry (field `u`).
 * @throws ProtocolError `PROTOCOL_INVALID` when it is not a {@link ScanUpdate}.
 */
export function parseScanUpdate(entry: StreamEntry): ScanUpdate {
  return parseControlJson(ScanUpdate, entry.fields.get('u'), `scan update ${entry.id}`)
}

/**
 * A scan's state (key `scan(scanId)`), or `undefined` when the key does not exist.
 * @throws ProtocolError `PROTOCOL_INVALID` when the stored state does not parse.
 */
export async function readScanState(
  plane: ControlPlane,
  scanId: ScanId,
): Promise<ScanState | undefined> {
  const bytes = await plane.get(plane.keys.scan(scanId))
  if (bytes === undefined) return undefined
  return parseControlJson(ScanState, bytes, `state of scan ${scanId}`)
}

/**
 * Where to start following `scan-updates` (docs/architecture.md "A scan", step 2): the latest
 * `started` entry whose scan is still `running` is joined at once; either way, only entries
 * after the newest one are followed. Malformed entries are skipped.
 */
export async function findRejoinPoint(plane: ControlPlane): Promise<RejoinPoint> {
  const key = plane.keys.scanUpdates()
  const recent = await plane.xrevrange(key, { count: REJOIN_LOOKBACK })
  const after = recent[0]?.id ?? STREAM_START
  for (const entry of recent) {
    let update: ScanUpdate
    try {
      update = parseScanUpdate(entry)
    } catch {
      // A malformed entry says nothing about which scan runs; the follower reports it.
      continue
    }
    if (update.type !== 'started') continue
    const state = await readScanState(plane, update.scanId)
    return state?.status === 'running' ? { running: update, after } : { after }
  }
  return { after }
}
