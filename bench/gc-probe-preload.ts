/**
 * Preloaded into every process of a bench cluster (`node --import <this> …`, see
 * `live-cluster.ts`) when `BENCH_PROBE_DIR` is set: writes the process's {@link gcProbe}
 * totals to `$BENCH_PROBE_DIR/<pid>.json` every 50 ms, for the driver to read before and after
 * each scan. The timer is unref'd, so it never keeps a process alive.
 */
import { renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { gcProbe } from './gc-probe.js'

const dir = process.env.BENCH_PROBE_DIR
// Preloads run in worker threads too; only the main thread reports (one file per process).
if (dir !== undefined && dir !== '' && isMainThread) {
  const probe = gcProbe()
  const file = path.join(dir, `${process.pid}.json`)
  const next = `${file}.next`
  const write = (): void => {
    try {
      // Written aside, then renamed: a reader never sees half a file.
      writeFileSync(next, JSON.stringify(probe.read()))
      renameSync(next, file)
    } catch {
      // The directory went away (the bench finished): nothing left to report to.
    }
  }
  setInterval(write, 50).unref()
  write()
}
