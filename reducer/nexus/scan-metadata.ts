import type { ModuleDigest, Parameters } from '../../src/internal.js'

/** How a scan (or a replay) ended, or that it is still running. */
export type ScanEndState = 'running' | 'finished' | 'stopped' | 'failed'

/**
 * What result files and the HDF5-REST root record about how a result was made, besides
 * `publish` itself (docs/results-api.md, "NeXus layout"). Every field but `status` is optional:
 * a replay has no scan id, a reducer that has not seen a scan's state yet knows only its own.
 */
export interface ScanMetadata {
  readonly scanId?: string | undefined
  /** The scan's number on its control plane (1, 2, 3, …). */
  readonly scanNumber?: number | undefined
  /** The name given when it was started. */
  readonly scanName?: string | undefined
  readonly status: ScanEndState
  /** Why it ended early (`stopped`, `failed`). */
  readonly reason?: string | undefined
  /** ISO 8601 times. */
  readonly startTime?: string | undefined
  readonly endTime?: string | undefined
  /** The worker modules that took part (distinct). */
  readonly workers: readonly ModuleDigest[]
  readonly reducer?: ModuleDigest | undefined
  /** The parameters the result was computed with. */
  readonly parameters?: Parameters | undefined
  /** Where the data came from: recordings, captures, files, or live streams and their ingesters. */
  readonly sources: readonly string[]
  /** Events in the scan (or replayed). */
  readonly events?: number | undefined
  /** Events whose analysis failed (worker or reducer). */
  readonly failedEvents?: number | undefined
}

/**
 * The metadata as plain JSON (parameters as their text, binary ones as base64), for the
 * `NXnote` that keeps it machine-readable in one piece. Pure.
 */
export function scanMetadataJson(meta: ScanMetadata, version: string): Record<string, unknown> {
  const parameters: Record<string, unknown> = {}
  for (const [name, p] of Object.entries(meta.parameters ?? {})) {
    parameters[name] =
      p.dtype === 'binary' || p.value instanceof Uint8Array
        ? { base64: Buffer.from(p.data).toString('base64') }
        : p.value
  }
  const json: Record<string, unknown> = {
    program: 'beamloom',
    version,
    scan_id: meta.scanId,
    scan_number: meta.scanNumber,
    scan_name: meta.scanName,
    status: meta.status,
    reason: meta.reason,
    start_time: meta.startTime,
    end_time: meta.endTime,
    events: meta.events,
    failed_events: meta.failedEvents,
    workers: meta.workers.map((w) => ({ module: w.spec, sha256: w.sha256 })),
    reducer:
      meta.reducer === undefined
        ? undefined
        : { module: meta.reducer.spec, sha256: meta.reducer.sha256 },
    parameters,
    sources: meta.sources,
  }
  for (const key of Object.keys(json)) if (json[key] === undefined) delete json[key]
  return json
}
