import { rename, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import {
  aborted,
  createProcessLogger,
  isAbortError,
  type ScanId,
  sleep,
  toJsonValue,
} from '../../src/internal.js'
import { checkInputFiles } from '../check-files.js'
import { readCheckedParameters } from '../check-parameters.js'
import { EXIT_FAILED } from '../exit-codes.js'
import { logConfigOf } from '../log-options.js'
import { createScanProgress, progressMode, type ScanProgress } from './scan-progress.js'
import { startUp, type UpSystem } from './start-up.js'
import { parseUpEnv } from './up-env.js'
import type { UpSpec } from './up-spec.js'

/** How often `--serve` looks for a scan posted to the controller, ms. */
const SERVE_POLL_MS = 200

/** Show a scan's progress (from the controller) until the reducer has finished it or `signal` aborts. */
async function followScan(
  system: UpSystem,
  scanId: ScanId,
  progress: ScanProgress,
  signal: AbortSignal,
): Promise<boolean> {
  progress.start('scan', () => {
    const p = system.controller.progress()
    return { completed: p.completed_events, total: p.total_events, failed: p.failed_events ?? 0 }
  })
  try {
    const done = system.reducer.scanDone(scanId).then(() => true)
    return await Promise.race([done, aborted(signal).then(() => false)])
  } finally {
    progress.stop()
  }
}

/**
 * The summary line of an ended scan and whether it went wrong: events or results failed, or
 * the scan ended other than `finished`.
 */
function scanOutcome(system: UpSystem, scanId: ScanId, startedMs: number) {
  const scan = system.reducer.status().scan
  const progress = system.controller.progress()
  const status = system.controller.scan()?.status ?? scan?.status ?? 'finished'
  const failedResults = scan === null ? 0 : scan.failed + scan.workerFailed
  const failedEvents = progress.failed_events ?? 0
  const counts =
    scan === null
      ? ''
      : `: ${scan.reduced} results reduced, ${failedResults} failed, ${scan.duplicates} duplicates dropped`
  const reason = progress.reason === undefined ? '' : ` (${progress.reason})`
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(2)
  return {
    line: `scan ${scanId} ${status}${reason} (${seconds} s since start-up)${counts}`,
    failed: status !== 'finished' || failedResults > 0 || failedEvents > 0,
  }
}

/** `--serve`: run each scan posted to the controller, reporting it, until `signal` aborts. */
async function serveScans(
  system: UpSystem,
  progress: ScanProgress,
  startedMs: number,
  signal: AbortSignal,
): Promise<void> {
  progress.line(
    `serving: POST a trigger map to ${system.controllerUrl}/api/v1/mapping (or a sequence to /api/v1/sequence); Ctrl-C to stop`,
  )
  let seen = system.controller.scan()?.scanId
  while (!signal.aborted) {
    try {
      await sleep(SERVE_POLL_MS, signal)
    } catch (err) {
      if (isAbortError(err, signal)) return
      throw err
    }
    const scan = system.controller.scan()
    if (scan === undefined || scan.scanId === seen) continue
    seen = scan.scanId
    progress.line(`scan ${scan.scanId} started (${scan.totalEvents} events)`)
    if (await followScan(system, scan.scanId, progress, signal)) {
      const outcome = scanOutcome(system, scan.scanId, startedMs)
      progress.line(outcome.line)
    }
  }
}

/**
 * Run `beamloom up` for a validated spec: check its inputs (files, parameters against the
 * modules' descriptions: bad input rejects before anything starts), start everything, run the
 * scan (or, with `serve`, the scans posted to the controller) with a progress display, write
 * `out`, and keep serving until `signal` aborts when there is no `out`.
 * Resolves with the exit code: 0, or 1 when the scan had failures or did not finish.
 * @throws what `startUp` and the checks throw (`CONFIG_INVALID`, `PARAMETER_INVALID`, …).
 */
export async function runUp(spec: UpSpec, signal: AbortSignal): Promise<number> {
  const log = logConfigOf(spec, 'up')
  const { connectTimeoutMs } = parseUpEnv(process.env)
  await checkInputFiles([
    ...(spec.map === undefined ? [] : [{ what: 'trigger map', path: spec.map }]),
    ...(spec.parameters === undefined ? [] : [{ what: 'parameters file', path: spec.parameters }]),
    ...spec.simulate.flatMap((s) =>
      s.capture === undefined ? [] : [{ what: `capture of ${s.stream}`, path: s.capture }],
    ),
  ])
  const parameters =
    spec.parameters === undefined ? undefined : await readCheckedParameters(spec.parameters, spec)

  const stream = process.stderr
  const progress = createScanProgress({ mode: progressMode(spec.progress, stream), stream })
  // up's own lines are for people: its parts' logs read the same (pretty) unless JSON is asked for.
  const logger = createProcessLogger({
    log: { level: log.level, format: log.format === 'json' ? 'json' : 'pretty' },
    destination: progress.logStream,
    colour: stream.isTTY === true,
  })
  for (const note of log.notes) logger.warn(note)

  const startedMs = Date.now()
  const system = await startUp(spec, {
    logger,
    connectTimeoutMs,
    ...(parameters === undefined ? {} : { parameters }),
  })
  try {
    progress.line(
      `beamloom up: controller ${system.controllerUrl} (status page at /), reducer ${system.reducerUrl} (viewer at ${system.reducerUrl}/viewer)`,
    )
    if (spec.serve) {
      await serveScans(system, progress, startedMs, signal)
      return 0
    }
    let scanId: ScanId
    try {
      scanId = await system.startScan(signal)
    } catch (err) {
      if (!isAbortError(err, signal)) throw err
      progress.line('interrupted before the scan started')
      return EXIT_FAILED
    }
    progress.line(`scan ${scanId} started (${system.controller.progress().total_events} events)`)
    if (!(await followScan(system, scanId, progress, signal))) {
      progress.line(`interrupted: scan ${scanId} did not finish`)
      return EXIT_FAILED
    }
    const outcome = scanOutcome(system, scanId, startedMs)
    progress.line(outcome.line)
    const code = outcome.failed ? EXIT_FAILED : 0
    if (spec.h5 !== undefined) {
      const written = await system.reducer.h5Files.writeTo(resolve(spec.h5))
      for (const s of written.skipped) progress.line(`warning: HDF5 file: left out ${s}`)
      progress.line(`HDF5 file written to ${written.path}`)
    }
    if (spec.out !== undefined) {
      const tmp = `${spec.out}.${process.pid}.tmp`
      await writeFile(tmp, `${JSON.stringify(toJsonValue(system.reducer.publish), null, 2)}\n`)
      await rename(tmp, spec.out)
      progress.line(`publish written to ${spec.out}`)
      return code
    }
    progress.line('serving results; Ctrl-C to stop')
    await aborted(signal)
    return code
  } finally {
    progress.stop()
    await system.close()
  }
}
