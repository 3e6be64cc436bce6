import { Command } from 'commander'
import type { IngesterLogger } from '../../ingesters/index.js'
import {
  createIngester,
  DEVICES,
  type DeviceType,
  type Ingester,
  IngesterEnvSpec,
  parseIngesterEnv,
} from '../../ingesters/index.js'
import {
  applyDransposeEnv,
  ConfigError,
  type ControlPlane,
  type FlagTargets,
  type FlatEnv,
  layFlags,
  runRole,
} from '../../src/internal.js'
import {
  type LogFlags,
  logConfigOf,
  logFormatOption,
  logLevelOption,
  roleLogger,
} from '../log-options.js'
import { optionValues, toOption } from './device-options.js'

/** Flags shared by every `beamloom ingester <device>` command (each overrides its env var). */
export interface IngesterFlags extends LogFlags {
  stream?: string
  upstream?: string
  name?: string
  bind?: string
  advertiseHost?: string
  redis?: string
  dumpDir?: string
  metricsPort?: string
}

/**
 * Which of the ingester's settings each shared flag sets; the variable it overrides is the one
 * `IngesterEnvSpec` reads (`layFlags`). A device's own options fall back to variables of their
 * own (`DeviceOption.envPrefix`).
 */
export const INGESTER_FLAGS = {
  stream: 'streams',
  upstream: 'upstreamUrl',
  name: 'name',
  bind: 'bind',
  advertiseHost: 'advertiseHost',
  redis: 'REDIS_URL',
  dumpDir: 'dumpDir',
  metricsPort: 'metricsPort',
} as const satisfies FlagTargets<
  typeof IngesterEnvSpec,
  Exclude<keyof IngesterFlags, keyof LogFlags>
>

/**
 * The env an ingester's config is read from (pure): `env` with Dranspose's names translated,
 * the shared flags laid over it (a flag wins over its variable).
 */
export function ingesterEnvFromFlags(
  flags: IngesterFlags,
  env: FlatEnv,
): Record<string, string | undefined> {
  return layFlags(applyDransposeEnv(env, 'ingester'), IngesterEnvSpec, INGESTER_FLAGS, flags)
}

/** Run the ingester of `device` that `command`'s options describe, until a signal. */
async function runDevice(device: DeviceType, command: Command): Promise<void> {
  const opts = command.opts<IngesterFlags>()
  const { config, upstreamUrl, controlPlane, notes } = parseIngesterEnv(
    ingesterEnvFromFlags(opts, process.env),
  )
  if (upstreamUrl === undefined) {
    throw new ConfigError(
      'the device address is missing: pass --upstream or set INGESTER_UPSTREAM_URL',
    )
  }
  const name = config.name ?? `${config.streams.join('_')}-ingester`
  const logger = roleLogger(logConfigOf(opts, 'ingester'), name, { notes })
  const log: IngesterLogger = logger
  const values = optionValues(command, process.env, device.ingest.options ?? [])
  const { ingest } = device
  const make = (plane: ControlPlane): Ingester => {
    if (ingest.ingester !== undefined) {
      return ingest.ingester(config, upstreamUrl, values, { plane, logger: log })
    }
    const upstream =
      ingest.upstream === undefined
        ? device.upstream(upstreamUrl)
        : ingest.upstream(upstreamUrl, values)
    return createIngester(config, { plane, logger: log, upstream })
  }
  process.exitCode = await runRole({
    role: 'ingester',
    name,
    logger,
    controlPlane,
    withoutRedis: 'refuse',
    howToSetRedis: 'pass --redis or set REDIS_URL',
    drainTimeoutMs: 10_000,
    make,
  })
}

/**
 * `beamloom ingester <device>`: the options every ingester takes, then the device's own
 * ({@link DeviceType.ingest}).
 */
export function deviceIngesterCommand(device: DeviceType): Command {
  const command: Command = new Command(device.name)
    .description(device.ingest.description)
    .option('--stream <names>', 'stream name(s) served, comma separated [INGESTER_STREAMS]')
    .option('--upstream <url>', `${device.ingest.upstreamHelp} [INGESTER_UPSTREAM_URL]`)
    .option('--name <name>', 'registry name; default <streams>-ingester [INGESTER_NAME]')
    .option(
      '--bind <address>',
      'ROUTER address for workers; default tcp://127.0.0.1:* [INGESTER_BIND]',
    )
    .option(
      '--advertise-host <host>',
      'host workers connect to when binding * [INGESTER_ADVERTISE_HOST]',
    )
    .option('--redis <url>', 'control plane, redis://host:6379 [REDIS_URL]')
    .option('--dump-dir <dir>', 'directory recordings are confined to [INGESTER_DUMP_DIR]')
    .option(
      '--metrics-port <port>',
      'serve /metrics and /health/* on this port, 0 = any free one; default off [INGESTER_METRICS_PORT]',
    )
    .addOption(logLevelOption('ingester'))
    .addOption(logFormatOption())
  for (const option of device.ingest.options ?? []) command.addOption(toOption(option))
  return command
    .addHelpText(
      'after',
      '\nAlso read from env: INGESTER_BUFFER_BYTES, INGESTER_DUMP_PATH, INGESTER_HELLO_TIMEOUT_MS,\nINGESTER_DEVICE_RECEIVE, INGESTER_FRAME_SLAB_BYTES, REDIS_KEY_PREFIX, HEARTBEAT_MS.\nSee docs/ingesters.md.',
    )
    .action(() => runDevice(device, command))
}

/** `beamloom ingester <device>`, one subcommand per device of the registry. */
export function ingesterCommand(): Command {
  const command = new Command('ingester').description(
    'run an ingester: read a device and forward its frames to the workers',
  )
  for (const device of DEVICES.values()) command.addCommand(deviceIngesterCommand(device))
  return command
}
