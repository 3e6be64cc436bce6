import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { DEVICES } from '../../ingesters/index.js'
import { ConfigError, formatIssues } from '../../src/internal.js'

/** A device name of the registry. */
const DeviceName = z.string().refine((name) => DEVICES.has(name), {
  message: `unknown device (known: ${[...DEVICES.keys()].join(', ')})`,
})

/** Frames a simulator sends when neither `frames` nor its device options say. */
const DEFAULT_SIMULATOR_FRAMES = 100

/**
 * A simulated source: `<device>:<stream>[:key=value,…]`, e.g. `stins:eiger:frames=100,shape=64x64`.
 * Without `frames`, the device's options may imply the count (Contrast's `mesh=40x75`: 3000);
 * otherwise 100.
 */
export const SimulateSpec = z
  .strictObject({
    /** A device of the registry (`ingesters/devices.ts`). */
    device: DeviceName,
    stream: z.string().min(1),
    frames: z.int().nonnegative().optional(),
    shape: z.tuple([z.int().positive(), z.int().positive()]).default([64, 64]),
    dtype: z.enum(['uint8', 'uint16', 'uint32', 'int32', 'float32', 'float64']).default('uint16'),
    rateHz: z.number().nonnegative().default(0),
    compression: z.enum(['none', 'bslz4']).default('none'),
    capture: z.string().optional(),
    /** Device-specific simulator options (`channels=8`, `form=three-messages`, …). */
    options: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((spec, ctx) => {
    const known = DEVICES.get(spec.device)?.simulatorOptions
    if (known === undefined) return
    for (const key of Object.keys(spec.options)) {
      if (key in known) continue
      const names = ['frames', 'rate', 'capture', 'shape', 'dtype', 'bslz4', ...Object.keys(known)]
      ctx.addIssue({
        code: 'custom',
        path: ['options', key],
        message: `unknown option '${key}' for ${spec.device} (${names.join(', ')})`,
      })
    }
  })
  .transform((spec, ctx) => {
    if (spec.frames !== undefined) return { ...spec, frames: spec.frames }
    try {
      const implied = DEVICES.get(spec.device)?.simulatorFrames?.(spec.options)
      return { ...spec, frames: implied ?? DEFAULT_SIMULATOR_FRAMES }
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: (err as Error).message })
      return z.NEVER
    }
  })
export type SimulateSpec = z.output<typeof SimulateSpec>

/** A real source: `<device>:<stream>=<upstream url>`. */
export const IngesterSpec = z.strictObject({
  device: DeviceName,
  stream: z.string().min(1),
  url: z.string().min(1),
})
export type IngesterSpec = z.output<typeof IngesterSpec>

/**
 * Everything `beamloom up` runs: from flags, or from a scan file whose keys are the flag names
 * (see {@link scanFileKeys}).
 */
export const UpSpec = z.strictObject({
  worker: z.string().min(1),
  reducer: z.string().min(1),
  workers: z.int().positive().default(2),
  /**
   * Run each worker in its own worker thread (default), so a scan is not bound to one event
   * loop; false: in the main thread, as before (a debugger sees one thread). Python workers
   * always run in the main thread (their host is a separate process).
   */
  workerThreads: z.boolean().default(true),
  simulate: z.array(SimulateSpec).default([]),
  ingester: z.array(IngesterSpec).default([]),
  /** Events of the uniform map (default: the simulators' frame count). */
  frames: z.int().positive().optional(),
  /** A trigger-map or sequence JSON/YAML file instead of the uniform map. */
  map: z.string().optional(),
  allWrap: z.boolean().default(true),
  parameters: z.string().optional(),
  out: z.string().optional(),
  /** Write the reducer's result as a NeXus HDF5 file here when the scan ends. */
  h5: z.string().min(1).optional(),
  redis: z.string().optional(),
  keyPrefix: z.string().default('beamloom'),
  port: z.int().min(0).max(65_535).default(5000),
  reducerPort: z.int().min(0).max(65_535).default(5010),
  host: z.string().default('127.0.0.1'),
  /**
   * Start no scan: keep everything running and run the trigger maps posted to the controller
   * (`POST /api/v1/mapping`, `/api/v1/sequence`) until interrupted.
   */
  serve: z.boolean().default(false),
  /** Progress line: `undefined` on a terminal only, `true` always, `false` never. */
  progress: z.boolean().optional(),
  logLevel: z.string().optional(),
  logFormat: z.string().optional(),
})
export type UpSpec = z.output<typeof UpSpec>
export type UpSpecInput = z.input<typeof UpSpec>

function splitDevice(text: string, flag: string): { device: string; rest: string } {
  const colon = text.indexOf(':')
  if (colon <= 0) throw new ConfigError(`${flag} '${text}': expected <device>:<stream>…`)
  return { device: text.slice(0, colon), rest: text.slice(colon + 1) }
}

/** The issues of a flag or a scan file, the whole value named `(value)`. */
function issues(err: z.ZodError): string {
  return formatIssues(err, { root: '(value)' })
}

/**
 * Parse `--simulate stins:eiger:frames=100,shape=64x64,dtype=uint16,rate=500,bslz4`.
 * @throws ConfigError naming the flag and the problem.
 */
export function parseSimulateFlag(text: string): SimulateSpec {
  const { device, rest } = splitDevice(text, '--simulate')
  const colon = rest.indexOf(':')
  const stream = colon < 0 ? rest : rest.slice(0, colon)
  const extra: Record<string, string> = {}
  const raw: Record<string, unknown> = { device, stream, options: extra }
  const given = colon < 0 ? '' : rest.slice(colon + 1)
  for (const pair of given.split(',').filter((p) => p.length > 0)) {
    const eq = pair.indexOf('=')
    const key = eq < 0 ? pair : pair.slice(0, eq)
    const value = eq < 0 ? 'true' : pair.slice(eq + 1)
    switch (key) {
      case 'frames':
        raw.frames = Number(value)
        break
      case 'shape':
        raw.shape = value.split(/[x,]/).map(Number)
        break
      case 'dtype':
        raw.dtype = value
        break
      case 'rate':
        raw.rateHz = Number(value)
        break
      case 'bslz4':
        raw.compression = value === 'false' ? 'none' : 'bslz4'
        break
      case 'compression':
        raw.compression = value
        break
      case 'capture':
        raw.capture = value
        break
      default:
        // Device-specific (channels=8, form=three-messages, …): the device checks them.
        extra[key] = value
    }
  }
  const parsed = SimulateSpec.safeParse(raw)
  if (!parsed.success) throw new ConfigError(`--simulate '${text}': ${issues(parsed.error)}`)
  return parsed.data
}

/**
 * Parse `--ingester stins:eiger=tcp://detector:9999`.
 * @throws ConfigError naming the flag and the problem.
 */
export function parseIngesterFlag(text: string): IngesterSpec {
  const { device, rest } = splitDevice(text, '--ingester')
  const eq = rest.indexOf('=')
  if (eq <= 0) throw new ConfigError(`--ingester '${text}': expected <device>:<stream>=<url>`)
  const parsed = IngesterSpec.safeParse({
    device,
    stream: rest.slice(0, eq),
    url: rest.slice(eq + 1),
  })
  if (!parsed.success) throw new ConfigError(`--ingester '${text}': ${issues(parsed.error)}`)
  return parsed.data
}

/**
 * Read a scan file (YAML or JSON, strict: a typo is an error) with the keys of {@link UpSpec}.
 * @throws ConfigError naming the file and the problem.
 */
export async function readScanFile(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new ConfigError(`cannot read scan file ${file}: ${(cause as Error).message}`, { cause })
  }
  let value: unknown
  try {
    value = parseYaml(text)
  } catch (cause) {
    throw new ConfigError(`${file}: not valid YAML/JSON: ${(cause as Error).message}`, { cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: expected a mapping of up options`)
  }
  return value as Record<string, unknown>
}

/**
 * Scan-file keys that are the flag names (`reducer-port: 0`, `prefix: bl`, `wrap: false`,
 * `no-wrap: true`), with the key of {@link UpSpec} each stands for. The spec's own keys
 * (`reducerPort`, `keyPrefix`, `allWrap`: what scan files used before) are read too.
 */
const FLAG_KEYS: Readonly<Record<string, { key: string; value?: (v: unknown) => unknown }>> = {
  'reducer-port': { key: 'reducerPort' },
  prefix: { key: 'keyPrefix' },
  wrap: { key: 'allWrap' },
  'no-wrap': { key: 'allWrap', value: (v) => (typeof v === 'boolean' ? !v : v) },
  'log-level': { key: 'logLevel' },
  'log-format': { key: 'logFormat' },
}

/**
 * A scan file's mapping with its flag-named keys as {@link UpSpec}'s (pure); other keys pass
 * as they are, for the strict schema to judge.
 * @throws ConfigError naming a setting given twice (`reducer-port` and `reducerPort`).
 */
export function scanFileKeys(raw: Readonly<Record<string, unknown>>, file: string) {
  const out: Record<string, unknown> = {}
  const from: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    const flag = FLAG_KEYS[name]
    const key = flag?.key ?? name
    if (key in out) {
      throw new ConfigError(`${file}: '${from[key]}' and '${name}' set the same thing`)
    }
    out[key] = flag?.value === undefined ? value : flag.value(value)
    from[key] = name
  }
  return out
}

/** Validate the merged options. @throws ConfigError with every problem. */
export function parseUpSpec(raw: unknown, where: string): UpSpec {
  const parsed = UpSpec.safeParse(raw)
  if (!parsed.success) throw new ConfigError(`${where}: ${issues(parsed.error)}`)
  const spec = parsed.data
  if (spec.serve) {
    const given = (['frames', 'map', 'out'] as const).filter((k) => spec[k] !== undefined)
    if (given.length > 0) {
      throw new ConfigError(
        `${where}: --serve starts no scan: ${given.map((k) => `--${k}`).join(', ')} cannot go with it (post the map to the controller)`,
      )
    }
  } else if (spec.simulate.length + spec.ingester.length === 0) {
    throw new ConfigError(`${where}: give at least one --simulate or --ingester source`)
  }
  return spec
}
