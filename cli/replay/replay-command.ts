import { rename, writeFile } from 'node:fs/promises'
import { SingleBar } from 'cli-progress'
import { Command, InvalidArgumentError, Option } from 'commander'
import { toJsonValue } from '../../src/index.js'
import { type ReplayFailure, runReplay } from './run-replay.js'

function positiveInt(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer')
  return n
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Write a file atomically: readers never see half of it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}

/** `beamloom replay`: run analysis code over recordings in one process. */
export function replayCommand(): Command {
  return new Command('replay')
    .description(
      'run a worker and a reducer over recorded scans (.cbors) in this process, as a live scan would',
    )
    .requiredOption('-w, --worker <module>', 'worker class, path/to/file.ts:ExportName')
    .requiredOption('-r, --reducer <module>', 'reducer class, path/to/file.ts:ExportName')
    .requiredOption(
      '-f, --file <recording>',
      'recording to replay (repeat to merge several)',
      collect,
      [],
    )
    .option(
      '-p, --parameters <file>',
      'parameters: JSON list of {"name","data"} or {"name","value"}',
    )
    .addOption(
      new Option('--workers <n>', 'number of worker instances').argParser(positiveInt).default(2),
    )
    .option('--out <file>', "write the reducer's publish as JSON at the end")
    .option('--fail-fast', 'stop at the first failure in user code')
    .option('--no-progress', 'no progress bar')
    .action(
      async (opts: {
        worker: string
        reducer: string
        file: string[]
        parameters?: string
        workers: number
        out?: string
        failFast?: boolean
        progress: boolean
      }) => {
        const bar =
          opts.progress && process.stderr.isTTY
            ? new SingleBar({
                format: 'replay {bar} {value} events | {failed} failed | {rate} ev/s',
                stream: process.stderr,
                hideCursor: true,
                clearOnComplete: false,
              })
            : undefined
        const started = Date.now()
        let failed = 0
        // A growing total: the recordings are streamed, so the count is known only at the end.
        bar?.start(1, 0, { failed: 0, rate: 0 })
        const onFailure = (f: ReplayFailure): void => {
          failed++
          const line = `error: ${f.role} ${f.message}`
          if (bar) bar.update({ failed })
          process.stderr.write(`${bar ? '\n' : ''}${line}\n`)
          const cause = f.error.cause
          if (cause instanceof Error && cause.stack && process.env.BEAMLOOM_DEBUG) {
            process.stderr.write(`${cause.stack}\n`)
          }
        }
        const report = await runReplay({
          worker: opts.worker,
          reducer: opts.reducer,
          files: opts.file,
          parametersFile: opts.parameters,
          workers: opts.workers,
          failFast: opts.failFast,
          onFailure,
          onEvent: bar
            ? (n) => {
                if (n % 64 !== 0) return
                const s = (Date.now() - started) / 1000
                bar.setTotal(n + 1)
                bar.update(n, { rate: s > 0 ? Math.round(n / s) : 0 })
              }
            : undefined,
        })
        if (bar) {
          bar.setTotal(report.events)
          bar.update(report.events)
          bar.stop()
        }
        if (opts.out) {
          await writeAtomic(opts.out, `${JSON.stringify(toJsonValue(report.publish), null, 2)}\n`)
        }
        const seconds = (Date.now() - started) / 1000
        process.stderr.write(
          `replayed ${report.events} events (${report.results} results) with ${opts.workers} workers in ${seconds.toFixed(2)} s` +
            (report.failures.length > 0
              ? `; ${report.failedEvents} events failed, ${report.failures.length} errors${report.stoppedEarly ? ' (stopped at the first: --fail-fast)' : ''}`
              : '') +
            (opts.out ? `; publish written to ${opts.out}` : '') +
            '\n',
        )
        process.exitCode = report.failures.length > 0 ? 1 : 0
      },
    )
}
