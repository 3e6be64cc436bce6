import { rename, writeFile } from 'node:fs/promises'
import { SingleBar } from 'cli-progress'
import { Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, type LogLevelName, toJsonValue } from '../../src/analysis-runtime.js'
import { checkInputFiles } from '../check-files.js'
import { logConfigOf, logLevelOption } from '../log-options.js'
import { port, positiveInt } from '../validators.js'
import { type CaptureSource, parseCaptureSyntax } from './capture-flag.js'
import { type H5Source, parseH5Source } from './h5-source.js'
import { type ReplayFailure, type ReplayLive, type ReplayReport, runReplay } from './run-replay.js'

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Write a file atomically: readers never see half of it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, path)
}

/** pino's order of levels: a message shows when its level is at least the configured one. */
const LEVEL_ORDER: readonly LogLevelName[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
]

/** Whether a message at `level` shows under the configured level. */
function shows(level: LogLevelName, configured: LogLevelName): boolean {
  return LEVEL_ORDER.indexOf(level) >= LEVEL_ORDER.indexOf(configured)
}

/**
 * `--cors <origins>`, checked as commander checks a flag (the check needs the reducer's
 * schemas, loaded only when the flag is given).
 */
async function checkCors(text: string, command: Command): Promise<string[]> {
  const { parseCorsOrigins } = await import('./replay-server.js')
  try {
    return parseCorsOrigins(text)
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
    return command.error(
      `error: option '--cors <origins>' argument '${text}' is invalid. ${err.message}`,
      { code: 'commander.invalidArgument' },
    )
  }
}

/** `beamloom replay`: run analysis code over recordings in one process. */
export function replayCommand(): Command {
  return new Command('replay')
    .description(
      'run a worker and a reducer over recorded scans (.cbors), raw captures, HDF5 image stacks or a source class in this process, as a live scan would',
    )
    .requiredOption(
      '-w, --worker <module>',
      'worker class, path/to/file.ts:ExportName or path/to/module.py:Class',
    )
    .requiredOption(
      '-r, --reducer <module>',
      'reducer class, path/to/file.ts:ExportName or path/to/module.py:Class',
    )
    .option('-f, --file <recording>', 'recording to replay (repeat to merge several)', collect, [])
    .option(
      '--capture <stream:protocol:file>',
      'raw upstream capture replayed as one stream, framed by the device protocol (stins, xspress3, albaem, …); repeatable, mixes with -f',
      (text: string, previous: CaptureSource[]) => [...previous, parseCaptureSyntax(text)],
      [],
    )
    .option(
      '--from-h5 <file[:dataset][:stream=name][:compression=bslz4]>',
      'an HDF5 image stack replayed as a STINS stream (header, one image per frame, series end); EIGER master files, NeXus defaults, bitshuffle-LZ4/LZ4/gzip chunks; repeatable, mixes with -f',
      (text: string, previous: H5Source[]) => [...previous, parseH5Source(text)],
      [],
    )
    .option(
      '-s, --source <module>',
      "a source class whose generators yield events (Dranspose's -s): path/to/file.ts:ExportName (getSourceGenerators()), or a Python class, path/to/file.py:Class or package.module:Class (get_source_generators()); mixes with -f",
    )
    .option(
      '-p, --parameters <file>',
      'parameters: JSON list of {"name","data"} or {"name","value"}',
    )
    .addOption(
      new Option('--workers <n>', 'number of worker instances').argParser(positiveInt).default(2),
    )
    .option('--out <file>', "write the reducer's publish as JSON at the end")
    .option('--h5 <file>', "write the reducer's publish as an HDF5 file at the end")
    .addOption(
      new Option(
        '--serve <port>',
        'serve the results (JSON, CBOR, HDF5-REST for h5pyd/silx) on 127.0.0.1:<port> while and after replaying, until interrupted (0: any port)',
      ).argParser(port),
    )
    .addOption(
      new Option(
        '--cors <origins>',
        'with --serve: web origins whose pages may read the results (a served h5web), comma-separated, or *',
      ),
    )
    .option('--fail-fast', 'stop at the first failure in user code')
    .option('--no-progress', 'no progress bar')
    .addOption(logLevelOption('replay'))
    .action(
      async (
        opts: {
          worker: string
          reducer: string
          file: string[]
          capture: CaptureSource[]
          source?: string
          fromH5: H5Source[]
          parameters?: string
          workers: number
          out?: string
          h5?: string
          serve?: number
          cors?: string
          failFast?: boolean
          progress: boolean
          logLevel?: string
        },
        command: Command,
      ) => {
        // What only some replays use (the device registry, the HTTP server, HDF5 files) is
        // loaded when they do, so that a replay of recordings starts fast.
        const corsOrigins = opts.cors === undefined ? [] : await checkCors(opts.cors, command)
        const { level } = logConfigOf(opts, 'replay')
        if (opts.capture.length > 0) {
          const { checkCaptureProtocol } = await import('./read-capture.js')
          for (const capture of opts.capture) checkCaptureProtocol(capture)
        }
        if (
          opts.file.length + opts.capture.length + opts.fromH5.length === 0 &&
          opts.source === undefined
        ) {
          throw new ConfigError(
            'give at least one recording (-f), raw capture (--capture), HDF5 stack (--from-h5) or source class (-s)',
          )
        }
        await checkInputFiles([
          ...opts.file.map((path) => ({ what: 'recording', path })),
          ...opts.capture.map((c) => ({ what: 'capture', path: c.file })),
          ...opts.fromH5.map((h) => ({ what: 'HDF5 file', path: h.file })),
          ...(opts.parameters === undefined
            ? []
            : [{ what: 'parameters file', path: opts.parameters }]),
        ])
        // Stacks of failures in user code: at debug (or with BEAMLOOM_DEBUG, as before).
        const stacks = shows('debug', level) || Boolean(process.env.BEAMLOOM_DEBUG)
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
          if (bar) bar.update({ failed })
          if (!shows('error', level)) return
          process.stderr.write(`${bar ? '\n' : ''}error: ${f.role} ${f.message}\n`)
          const cause = f.error.cause
          if (cause instanceof Error && cause.stack && stacks) {
            process.stderr.write(`${cause.stack}\n`)
          }
        }
        const warn = (message: string): void => {
          if (shows('warn', level)) process.stderr.write(`${bar ? '\n' : ''}warning: ${message}\n`)
        }
        let live: ReplayLive | undefined
        let ended: { at: Date; report: ReplayReport } | undefined
        const sources = {
          files: opts.file,
          captures: opts.capture,
          fromH5: opts.fromH5,
          source: opts.source,
        }
        const replayH5 =
          opts.serve === undefined && opts.h5 === undefined
            ? undefined
            : await import('./replay-h5.js')
        const metadata = () => {
          if (replayH5 === undefined) throw new Error('replay metadata asked for but not loaded')
          return replayH5.replayMetadata(sources, new Date(started), live, ended)
        }
        const replayServer =
          opts.serve === undefined ? undefined : await import('./replay-server.js')
        const server =
          opts.serve === undefined || replayServer === undefined
            ? undefined
            : await replayServer.startReplayServer(opts.serve, opts.reducer, {
                read: () => live?.publish ?? {},
                metadata,
                corsOrigins,
              })
        if (server) process.stderr.write(`serving results at ${server.url}\n`)
        const report = await runReplay({
          onReducer: (view) => {
            live = view
          },
          worker: opts.worker,
          reducer: opts.reducer,
          files: opts.file,
          captures: opts.capture,
          source: opts.source,
          h5: opts.fromH5,
          onCaptureInvalid: (stream, reason) => warn(`capture of ${stream}: ${reason}`),
          onWarning: warn,
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
        }).catch(async (err: unknown) => {
          // A set-up error: stop serving, or the open server would keep the process alive.
          await server?.close()
          throw err
        })
        ended = { at: new Date(), report }
        if (bar) {
          bar.setTotal(report.events)
          bar.update(report.events)
          bar.stop()
        }
        if (opts.out) {
          await writeAtomic(opts.out, `${JSON.stringify(toJsonValue(report.publish), null, 2)}\n`)
        }
        const h5 =
          opts.h5 && replayH5
            ? await replayH5
                .writeReplayH5(opts.h5, report, metadata())
                .catch(async (err: unknown) => {
                  await server?.close()
                  throw err
                })
            : undefined
        const seconds = (Date.now() - started) / 1000
        process.stderr.write(
          `replayed ${report.events} events (${report.results} results) with ${opts.workers} workers in ${seconds.toFixed(2)} s` +
            (report.failures.length > 0
              ? `; ${report.failedEvents} events failed, ${report.failures.length} errors${report.stoppedEarly ? ' (stopped at the first: --fail-fast)' : ''}`
              : '') +
            (opts.out ? `; publish written to ${opts.out}` : '') +
            (h5 ? `; HDF5 file written to ${h5}` : '') +
            '\n',
        )
        process.exitCode = report.failures.length > 0 ? 1 : 0
        if (server && replayServer) {
          process.stderr.write(`serving results at ${server.url} until interrupted (Ctrl-C)\n`)
          await replayServer.untilInterrupted()
          await server.close()
        }
      },
    )
}
