import { ProtocolError } from '../errors.js'
import type { ScanId } from '../protocol/ids.js'
import { parseControlJson, ScanState, ScanUpdate } from '../protocol/scan-messages.js'
import { StreamField } from '../protocol/stream-field.js'
import type { ControlPlane, StreamEntry, StreamEntryId } from './control-plane.js'
import { STREAM_START } from './control-plane.js'
import { followStream } from './follow-stream.js'

/** Entries kept in `scan-updates` (the controller trims to this). */
export const SCAN_UPDATES_MAX_LEN = 1_000

/** How a scan ended, as `scan-updates` tells it. */
export type ScanEnd = Exclude<ScanUpdate['type'], 'started'>

/** What {@link followScans} calls; each call is awaited before the next update is read. */
export interface ScanHandlers {
  /** A running scan to take part in: its `started` update, or the scan running when following began. */
  started(state: ScanState): Promise<void> | void
  /** A scan ended (any scan: handlers ignore those they are not in). */
  ended(scanId: ScanId, end: ScanEnd, reason: string | undefined): Promise<void> | void
  /** An update or a scan state that does not parse; it was skipped. */
  invalid?(err: ProtocolError): void
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

/** Parse one `scan-updates` entry (field `u`). @throws ProtocolError */
export function parseScanUpdate(entry: StreamEntry): ScanUpdate {
  return parseControlJson(
    ScanUpdate,
    entry.fields.get(StreamField.update),
    `scan update ${entry.id}`,
  )
}

/** Where a process that starts following `scan-updates` stands. */
export interface ScanRejoinPoint {
  /** The scan running now (the newest `started` whose state is still `running`), if any. */
  readonly running: ScanState | undefined
  /** Follow the stream after this id. */
  readonly after: StreamEntryId
}

/**
 * The one way every role finds the running scan (docs/architecture.md "A scan", step 2): the
 * newest `started` entry of `scan-updates` — the whole stream is looked at (it is trimmed to
 * {@link SCAN_UPDATES_MAX_LEN}) — joined only if its state is still `running`. Malformed
 * entries and states are reported to `invalid` and skipped.
 */
export async function findRunningScan(
  plane: ControlPlane,
  invalid?: (err: ProtocolError) => void,
): Promise<ScanRejoinPoint> {
  const recent = await plane.xrevrange(plane.keys.scanUpdates(), { count: SCAN_UPDATES_MAX_LEN })
  const after = recent[0]?.id ?? STREAM_START
  for (const entry of recent) {
    let update: ScanUpdate
    try {
      update = parseScanUpdate(entry)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      invalid?.(err)
      continue
    }
    if (update.type !== 'started') continue
    const state = await stateOf(plane, update.scanId, invalid)
    return { running: state?.status === 'running' ? state : undefined, after }
  }
  return { running: undefined, after }
}

async function stateOf(
  plane: ControlPlane,
  scanId: ScanId,
  invalid: ((err: ProtocolError) => void) | undefined,
): Promise<ScanState | undefined> {
  try {
    return await readScanState(plane, scanId)
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    invalid?.(err)
    return undefined
  }
}

/**
 * Take part in scans: join the running one (if any), then follow `scan-updates` until `signal`
 * aborts, calling `started` for each scan that starts and is still running when its update is
 * read, and `ended` for each end. Every role (worker, ingester, reducer) follows scans through
 * this, so they agree on which scan runs. Resolves on abort; rejects with the plane's errors
 * and the handlers'.
 */
export async function followScans(
  plane: ControlPlane,
  handlers: ScanHandlers,
  signal: AbortSignal,
  from?: ScanRejoinPoint,
): Promise<void> {
  const point = from ?? (await findRunningScan(plane, handlers.invalid))
  if (point.running !== undefined) await handlers.started(point.running)
  const key = plane.keys.scanUpdates()
  for await (const entry of followStream(plane, key, { signal, after: point.after })) {
    let update: ScanUpdate
    try {
      update = parseScanUpdate(entry)
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err
      handlers.invalid?.(err)
      continue
    }
    if (update.type === 'started') {
      const state = await stateOf(plane, update.scanId, handlers.invalid)
      if (state?.status === 'running') await handlers.started(state)
      else if (state !== undefined) await handlers.ended(state.scanId, endOf(state), state.reason)
    } else {
      await handlers.ended(
        update.scanId,
        update.type,
        'reason' in update ? update.reason : undefined,
      )
    }
  }
}

function endOf(state: ScanState): ScanEnd {
  return state.status === 'running' ? 'stopped' : state.status
}
