import { rename, writeFile } from 'node:fs/promises'
import { Command, InvalidArgumentError } from 'commander'
import { DEVICES } from '../../ingesters/devices.js'
import { toJsonValue } from '../../src/index.js'
import { startUp } from './start-up.js'
import { parseIngesterFlag, parseSimulateFlag, parseUpSpec, readScanFile } from './up-spec.js'

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function int(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number')
  return n
}

interface UpFlags {
  scan?: string
  worker?: string
  reducer?: string
  workers?: number
  simulate: string[]
  ingester: string[]
  frames?: number
  map?: string
  parameters?: string
  out?: string
  redis?: string
  prefix?: string
  port?: number
  reducerPort?: number
  host?: string
  wrap: boolean
}

/** Merge a scan file (if any) with flags; flags win, source lists add up. */
async function specFrom(flags: UpFlags) {
  const file = flags.scan === undefined ? {} : await readScanFile(flags.scan)
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
      ...pick(flags.frames !== undefined ? { frames: flags.frames } : undefined),
      ...pick(flags.map && { map: flags.map }),
      ...pick(flags.parameters && { parameters: flags.parameters }),
      ...pick(flags.out && { out: flags.out }),
      ...pick(flags.redis && { redis: flags.redis }),
      ...pick(flags.prefix && { keyPrefix: flags.prefix }),
      ...pick(flags.port !== undefined ? { port: flags.port } : undefined),
      ...pick(flags.reducerPort !== undefined ? { reducerPort: flags.reducerPort } : undefined),
      ...pick(flags.host && { host: flags.host }),
      ...(flags.wrap ? {} : { allWrap: false }),
    },
    flags.scan ?? 'beamloom up',
  )
}

/**
 * `beamloom up`: controller, ingesters, workers and reducer in one process, with the in-memory
 * control plane unless `--redis` is given.
 */
export function upCommand(): Command {
  return new Command('up')
    .description(
      'run a whole live scan in this process: simulated or real sources, controller, workers, reducer',
    )
    .option('--scan <file>', 'YAML/JSON scan file with the same keys as the flags')
    .option('-w, --worker <module>', 'worker class, path/to/file.ts:ExportName')
    .option('-r, --reducer <module>', 'reducer class, path/to/file.ts:ExportName')
    .option('--workers <n>', 'worker instances (default 2)', int)
    .option(
      '--simulate <spec>',
      `simulated source <device>:<stream>[:frames=N,rate=Hz,capture=FILE,shape=RxC,dtype=uint16,bslz4,<device option>=…] (repeatable; devices: ${[...DEVICES.keys()].join(', ')})`,
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
      'parameters: JSON list of {"name","data"} or {"name","value"}',
    )
    .option('--out <file>', "write the reducer's publish as JSON when the scan finishes, then exit")
    .option('--redis <url>', 'use Redis as the control plane instead of memory')
    .option('--prefix <prefix>', 'control-plane key prefix (default beamloom)')
    .option('--port <port>', 'controller HTTP port (default 5000; 0 = any)', int)
    .option('--reducer-port <port>', 'reducer HTTP port (default 5010; 0 = any)', int)
    .option('--host <host>', 'HTTP listen address (default 127.0.0.1)')
    .action(async (flags: UpFlags) => {
      const spec = await specFrom(flags)
      const started = Date.now()
      const system = await startUp(spec)
      const stop = new AbortController()
      const onSignal = () => stop.abort()
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
      try {
        process.stderr.write(
          `beamloom up: controller ${system.controllerUrl} (status page at /), reducer ${system.reducerUrl} (viewer at ${system.reducerUrl}/viewer)\n`,
        )
        const scanId = await system.startScan(stop.signal)
        process.stderr.write(`scan ${scanId} started\n`)
        const done = system.reducer.scanDone(scanId)
        await Promise.race([
          done,
          new Promise((resolve) => stop.signal.addEventListener('abort', resolve)),
        ])
        if (!stop.signal.aborted) {
          const scan = system.reducer.status().scan
          const counts = scan
            ? `${scan.reduced} results reduced, ${scan.failed + scan.workerFailed} failed, ${scan.duplicates} duplicates dropped`
            : ''
          const seconds = ((Date.now() - started) / 1000).toFixed(2)
          process.stderr.write(`scan ${scanId} finished (${seconds} s since start-up): ${counts}\n`)
        }
        if (spec.out !== undefined) {
          const tmp = `${spec.out}.${process.pid}.tmp`
          await writeFile(tmp, `${JSON.stringify(toJsonValue(system.reducer.publish), null, 2)}\n`)
          await rename(tmp, spec.out)
          process.stderr.write(`publish written to ${spec.out}\n`)
        } else if (!stop.signal.aborted) {
          process.stderr.write('serving results; Ctrl-C to stop\n')
          await new Promise((resolve) => stop.signal.addEventListener('abort', resolve))
        }
      } finally {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        await system.close()
      }
    })
}
