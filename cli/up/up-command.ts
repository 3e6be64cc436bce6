import { Command, InvalidArgumentError } from 'commander'
import { DEVICES } from '../../ingesters/index.js'
import { type LogFlags, logFormatOption, logLevelOption } from '../log-options.js'
import { runUp } from './run-up.js'
import {
  parseIngesterFlag,
  parseSimulateFlag,
  parseUpSpec,
  readScanFile,
  scanFileKeys,
} from './up-spec.js'

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function int(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number')
  return n
}

interface UpFlags extends LogFlags {
  scan?: string
  worker?: string
  reducer?: string
  workers?: number
  workerThreads: boolean
  simulate: string[]
  ingester: string[]
  frames?: number
  map?: string
  parameters?: string
  out?: string
  h5?: string
  redis?: string
  prefix?: string
  port?: number
  reducerPort?: number
  host?: string
  wrap: boolean
  serve?: boolean
  progress?: boolean
}

/** Merge a scan file (if any) with flags; flags win, source lists add up. */
async function specFrom(flags: UpFlags) {
  const file =
    flags.scan === undefined ? {} : scanFileKeys(await readScanFile(flags.scan), flags.scan)
  const fromFile = (key: string): unknown[] => {
    const v = file[key]
    return Array.isArray(v) ? v : v === undefined ? [] : [v]
  }
  const simulate = [...fromFile('simulate'), ...flags.simulate].map((s) =>
    typeof s === 'string' ? parseSimulateFlag(s) : s,
  )
  const ingester = [...fromFile('ingester'), ...flags.ingester].map((s) =>
    typeof s === 'string' ? parseIngesterFlag(s) : s,
  )
  const pick = <T>(v: T | undefined) => (v === undefined ? {} : v)
  return parseUpSpec(
    {
      ...file,
      simulate,
      ingester,
      ...pick(flags.worker && { worker: flags.worker }),
      ...pick(flags.reducer && { reducer: flags.reducer }),
      ...pick(flags.workers !== undefined ? { workers: flags.workers } : undefined),
      ...(flags.workerThreads ? {} : { workerThreads: false }),
      ...pick(flags.frames !== undefined ? { frames: flags.frames } : undefined),
      ...pick(flags.map && { map: flags.map }),
      ...pick(flags.parameters && { parameters: flags.parameters }),
      ...pick(flags.out && { out: flags.out }),
      ...pick(flags.h5 && { h5: flags.h5 }),
      ...pick(flags.redis && { redis: flags.redis }),
      ...pick(flags.prefix && { keyPrefix: flags.prefix }),
      ...pick(flags.port !== undefined ? { port: flags.port } : undefined),
      ...pick(flags.reducerPort !== undefined ? { reducerPort: flags.reducerPort } : undefined),
      ...pick(flags.host && { host: flags.host }),
      ...(flags.wrap ? {} : { allWrap: false }),
      ...pick(flags.serve !== undefined ? { serve: flags.serve } : undefined),
      ...pick(flags.progress !== undefined ? { progress: flags.progress } : undefined),
      ...pick(flags.logLevel && { logLevel: flags.logLevel }),
      ...pick(flags.logFormat && { logFormat: flags.logFormat }),
    },
    flags.scan ?? 'beamloom up',
  )
}

/**
 * `beamloom up`: controller, ingesters, workers and reducer in one process, with the in-memory
 * control plane unless `--redis` is given. Exit code 0, 1 when the scan had failures or did not
 * finish, 2 on bad input (docs/cli.md).
 */
export function upCommand(): Command {
  return new Command('up')
    .description(
      'run a whole live scan in this process: simulated or real sources, controller, workers, reducer',
    )
    .option(
      '--scan <file>',
      'YAML/JSON scan file whose keys are the flag names (worker, simulate, reducer-port, …)',
    )
    .option(
      '-w, --worker <module>',
      'worker class, path/to/file.ts:ExportName or path/to/module.py:Class',
    )
    .option(
      '-r, --reducer <module>',
      'reducer class, path/to/file.ts:ExportName or path/to/module.py:Class',
    )
    .option('--workers <n>', 'worker instances (default 2)', int)
    .option(
      '--no-worker-threads',
      'run the workers in the main thread (default: each in its own worker thread, for more than one core)',
    )
    .option(
      '--simulate <spec>',
      `simulated source <device>:<stream>[:frames=N,rate=Hz,capture=FILE,shape=RxC,dtype=uint16,bslz4,<device option>=…] (repeatable; devices: ${[...DEVICES.keys()].join(', ')}; frames default to what the device options imply, such as contrast's mesh=40x75, else 100)`,
      collect,
      [],
    )
    .option(
      '--ingester <spec>',
      'real source <device>:<stream>=<upstream url> (repeatable)',
      collect,
      [],
    )
    .option(
      '--frames <n>',
      'events of the uniform trigger map (default: the simulators’ frames)',
      int,
    )
    .option('--map <file>', 'trigger map or sequence (JSON/YAML) instead of the uniform map')
    .option('--no-wrap', 'do not wrap the map in start/end broadcast events (all_wrap)')
    .option(
      '-p, --parameters <file>',
      'parameters: JSON list of {"name","data"} or {"name","value"}, checked against the modules’ descriptions',
    )
    .option('--out <file>', "write the reducer's publish as JSON when the scan finishes, then exit")
    .option(
      '--serve',
      'start no scan: keep everything running and run the trigger maps posted to the controller, until Ctrl-C',
    )
    .option('--h5 <file>', "write the reducer's result as a NeXus HDF5 file when the scan ends")
    .option('--redis <url>', 'use Redis as the control plane instead of memory')
    .option('--prefix <prefix>', 'control-plane key prefix (default beamloom)')
    .option('--port <port>', 'controller HTTP port (default 5000; 0 = any)', int)
    .option('--reducer-port <port>', 'reducer HTTP port (default 5010; 0 = any)', int)
    .option('--host <host>', 'HTTP listen address (default 127.0.0.1)')
    .option('--progress', 'show progress (events, rate, ETA) even when stderr is not a terminal')
    .option('--no-progress', 'no progress display (default: a bar on a terminal)')
    .addOption(logLevelOption('up'))
    .addOption(logFormatOption('up'))
    .action(async (flags: UpFlags) => {
      const spec = await specFrom(flags)
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        process.exitCode = await runUp(spec, stop.signal)
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      }
    })
}
