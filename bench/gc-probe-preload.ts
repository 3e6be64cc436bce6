/**
 * Preloaded into every process of a bench cluster (`node --import <this> …`, see
 * `live-cluster.ts`) when `BENCH_PROBE_DIR` is set: writes the process's {@link gcProbe}
 * totals to `$BENCH_PROBE_DIR/<pid>.json` every 100 ms, for the driver to read before and after
 * each scan. One open file rewritten in place with a fixed-width record (a rename or an open per
 * write showed up in the profiles); the timer is unref'd, so it never keeps a process alive.
 */
import { openSync, writeSync } from 'node:fs'
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { gcProbe } from './gc-probe.js'

/** Bytes of one record: JSON padded with spaces, so a shorter one never leaves a tail behind. */
export const PROBE_RECORD_BYTES = 512

const dir = process.env.BENCH_PROBE_DIR
// Preloads run in worker threads too; only the main thread reports (one file per process).
if (dir !== undefined && dir !== '' && isMainThread) {
  const probe = gcProbe()
  const fd = openSync(path.join(dir, `${process.pid}.json`), 'w')
  const record = Buffer.alloc(PROBE_RECORD_BYTES)
  const write = (): void => {
    record.fill(0x20)
    record.write(JSON.stringify(probe.read()))
    try {
      writeSync(fd, record, 0, record.length, 0)
    } catch {
      // The directory went away (the bench finished): nothing left to report to.
    }
  }
  setInterval(write, 100).unref()
  write()
}
