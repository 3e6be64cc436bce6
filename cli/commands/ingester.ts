import { Command } from 'commander'
import type { Ingester } from '../../ingesters/base/create-ingester.js'
import type { IngesterConfig } from '../../ingesters/base/ingester-config.js'
import { parseIngesterEnv } from '../../ingesters/base/ingester-config.js'
import type { IngesterLogger } from '../../ingesters/base/ingester-logger.js'
import { createEigerLegacyIngester } from '../../ingesters/eiger-legacy/eiger-legacy-ingester.js'
import { createStinsIngester } from '../../ingesters/stins/stins-ingester.js'
import { createXspress3Ingester } from '../../ingesters/xspress3/xspress3-ingester.js'
import {
  applyDransposeEnv,
  ConfigError,
  type ControlPlane,
  createRoleControlPlane,
  parseControlPlaneEnv,
  runWithSignals,
  ServiceBase,
} from '../../src/index.js'
import {
  type LogFlags,
  logConfigOf,
  logFormatOption,
  logLevelOption,
  roleLogger,
} from '../log-options.js'
import { contrastIngesterCommand } from './contrast-commands.js'
import {
  albaemIngesterCommand,
  eigerV2IngesterCommand,
  lecroyIngesterCommand,
} from './more-devices-commands.js'
import { pcapIngesterCommand, pcapZmqIngesterCommand } from './pcap-commands.js'
import { sardanaIngesterCommand } from './sardana-commands.js'

/** Options shared by every `beamloom ingester <device>` command (each overrides its env var). */
interface IngesterOptions extends LogFlags {
  stream?: string
  upstream?: string
  name?: string
  bind?: string
  advertiseHost?: string
  redis?: string
  dumpDir?: string
  metricsPort?: string
}

/** The control plane and the ingester, as one service: plane first up, last down. */
class IngesterProcess extends ServiceBase {
  readonly #plane: ControlPlane
  readonly #make: (plane: ControlPlane) => Ingester

  constructor(plane: ControlPlane, make: (plane: ControlPlane) => Ingester) {
    super('ingester process')
    this.#plane = plane
    this.#make = make
  }

  protected override async onStart(): Promise<void> {
    const plane = this.#plane
    this.addCloseStep('control plane', () => plane.close())
    await plane.start()
    void plane.closed.then((err) => err && this.fail(err))
    const ingester = this.#make(plane)
    this.addCloseStep('ingester', ({ force }) => ingester.close({ force }))
    await ingester.start()
    void ingester.closed.then((err) => err && this.fail(err))
  }
}

/** Env (Dranspose's names translated) with the command-line options laid over it (options win). */
function envWith(opts: IngesterOptions): Record<string, string | undefined> {
  const pick = (key: string, value: string | undefined) =>
    value === undefined ? {} : { [key]: value }
  return {
    ...applyDransposeEnv(process.env, 'ingester'),
    ...pick('INGESTER_STREAMS', opts.stream),
    ...pick('INGESTER_UPSTREAM_URL', opts.upstream),
    ...pick('INGESTER_NAME', opts.name),
    ...pick('INGESTER_BIND', opts.bind),
    ...pick('INGESTER_ADVERTISE_HOST', opts.advertiseHost),
    ...pick('INGESTER_DUMP_DIR', opts.dumpDir),
    ...pick('INGESTER_METRICS_PORT', opts.metricsPort),
    ...pick('REDIS_URL', opts.redis),
  }
}

/** Builds one device's ingester from the parsed config and the device address. */
export type MakeIngester = (
  config: IngesterConfig,
  upstreamUrl: string,
  deps: { plane: ControlPlane; logger: IngesterLogger },
) => Ingester

async function runDevice(opts: IngesterOptions, make: MakeIngester): Promise<void> {
  const env = envWith(opts)
  const { config, upstreamUrl } = parseIngesterEnv(env)
  const controlPlane = parseControlPlaneEnv(env)
  if (upstreamUrl === undefined) {
    throw new ConfigError(
      'the device address is missing: pass --upstream or set INGESTER_UPSTREAM_URL',
    )
  }
  if (controlPlane.redisUrl === undefined) {
    throw new ConfigError(
      'a separate ingester process needs the shared control plane: pass --redis or set REDIS_URL',
    )
  }
  const logger = roleLogger(
    logConfigOf(opts, 'ingester'),
    config.name ?? `${config.streams.join('_')}-ingester`,
  )
  const log: IngesterLogger = logger
  const plane = createRoleControlPlane({
    url: env.REDIS_URL ?? '',
    keyPrefix: controlPlane.keyPrefix,
    connectTimeoutMs: controlPlane.connectTimeoutMs,
    role: 'ingester',
    name: config.name ?? `${config.streams.join('_')}-ingester`,
    logger,
  })
  const service = new IngesterProcess(plane, (p) =>
    make(config, upstreamUrl, { plane: p, logger: log }),
  )
  process.exitCode = await runWithSignals(service, {
    drainTimeoutMs: 10_000,
    onEvent: (event) => {
      if (event.kind === 'closed' && event.error)
        logger.error({ err: event.error }, 'ingester ended')
      else logger.info({ event: event.kind }, 'ingester process')
    },
  })
}

/** One `beamloom ingester <device>` subcommand with the options every device shares. */
export function deviceCommand(
  name: string,
  description: string,
  upstreamHelp: string,
  make: MakeIngester,
): Command {
  return new Command(name)
    .description(description)
    .option('--stream <names>', 'stream name(s) served, comma separated [INGESTER_STREAMS]')
    .option('--upstream <url>', `${upstreamHelp} [INGESTER_UPSTREAM_URL]`)
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
    .addHelpText(
      'after',
      '\nAlso read from env: INGESTER_BUFFER_BYTES, INGESTER_DUMP_PATH, INGESTER_HELLO_TIMEOUT_MS,\nREDIS_KEY_PREFIX, HEARTBEAT_MS. See docs/ingesters.md.',
    )
    .action((opts: IngesterOptions) => runDevice(opts, make))
}

/** `beamloom ingester <device>`: run one ingester process. */
export function ingesterCommand(): Command {
  const stins = deviceCommand(
    'stins',
    'ingest a STINS device (Eiger, Pilatus, Orca, Basler, Zyla behind the streaming-receiver): PULL from it, forward frames to workers',
    "the device's PUSH endpoint, e.g. tcp://det:9999",
    (config, url, deps) => createStinsIngester(config, { url }, deps),
  )
  const eigerLegacy = deviceCommand(
    'eiger-legacy',
    'ingest a DECTRIS Eiger speaking Stream V1 (dheader-1.0): PULL from it, forward frames to workers',
    "the detector's PUSH endpoint, e.g. tcp://det:9999",
    (config, url, deps) => createEigerLegacyIngester(config, { url }, deps),
  )
  const xspress3 = deviceCommand(
    'xspress3',
    'ingest an Xspress3: SUBscribe to its PUB, join each frame into [json, spectra, meta], forward frames to workers',
    "the device's PUB endpoint, e.g. tcp://xsp3:9999",
    (config, url, deps) => createXspress3Ingester(config, { url }, deps),
  )
  return new Command('ingester')
    .description('run an ingester: read a device and forward its frames to the workers')
    .addCommand(stins)
    .addCommand(eigerLegacy)
    .addCommand(xspress3)
    .addCommand(albaemIngesterCommand())
    .addCommand(lecroyIngesterCommand())
    .addCommand(eigerV2IngesterCommand())
    .addCommand(contrastIngesterCommand())
    .addCommand(sardanaIngesterCommand())
    .addCommand(pcapIngesterCommand())
    .addCommand(pcapZmqIngesterCommand())
}
