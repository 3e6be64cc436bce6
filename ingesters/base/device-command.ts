import type { ControlPlane } from '../../src/internal.js'
import type { Ingester } from './create-ingester.js'
import type { IngesterConfig } from './ingester-config.js'
import type { IngesterLogger } from './ingester-logger.js'
import type { UpstreamFactory } from './upstream.js'
import type { DeviceSimulator } from './zmq-simulator.js'

/**
 * How the text of a device option is read: a named check the CLI knows (its message is the same
 * for every device), or the device's own parser, which throws a `ConfigError` for bad text.
 */
export type DeviceOptionParser =
  | 'nonNegativeInt'
  | 'positiveInt'
  | 'rate'
  | 'shape'
  | 'rows'
  | ((text: string) => unknown)

/**
 * One command-line option of `beamloom ingester <device>` or `beamloom simulate <device>`,
 * declared by the device (`ingesters/devices.ts`) and turned into a flag by the CLI.
 */
export interface DeviceOption {
  /** `--name <value>` or `--switch`, as commander spells flags. */
  readonly flags: string
  /** One line for `--help`. */
  readonly description: string
  readonly parse?: DeviceOptionParser
  readonly choices?: readonly string[]
  /** The value when the flag is absent (already parsed: a number for a numeric option). */
  readonly default?: string | number | boolean | readonly (string | number)[]
  /** How `--help` shows the default, when not as JSON (`64,64` for `[64, 64]`). */
  readonly defaultDescription?: string
  /** Accepted but not shown by `--help` (an old spelling). */
  readonly hidden?: boolean
  /**
   * The role prefix of the variable a value option (`--name <value>`) falls back to when the
   * flag is not given, before its default: the config helper's `envName` of the prefix and the
   * option's name (`--token` with `INGESTER` reads `INGESTER_TOKEN`, `--three-messages` would
   * read `INGESTER_THREE_MESSAGES`). `--help` names the variable; its text passes the option's
   * checks. Absent: the option is read from the command line only.
   */
  readonly envPrefix?: string
}

/**
 * The values of a device command's options, by long flag name without dashes (`three-messages`):
 * the flag's, else its variable's ({@link DeviceOption.envPrefix}), else the default. Each getter
 * returns `undefined` for an option that was not given and has no default.
 * @throws StateError when the value is not of the asked kind (a declaration error).
 * @throws ConfigError `CONFIG_INVALID` when the option's variable fails the option's checks.
 */
export interface DeviceOptionValues {
  string(name: string): string | undefined
  number(name: string): number | undefined
  /** An option with a default (or required): its value. @throws StateError when it has none. */
  requireString(name: string): string
  requireNumber(name: string): number
  flag(name: string): boolean
  numbers(name: string): readonly number[] | undefined
  /** A two-number option such as `--shape 64,64`. */
  numberPair(name: string): [number, number] | undefined
  /** A two-string option such as `--motors sx,sy`. */
  stringPair(name: string): [string, string] | undefined
  /** Whether the value is the declared default (neither the flag nor its variable was given). */
  fromDefault(name: string): boolean
  /**
   * The process environment. Options that fall back to a variable declare it
   * ({@link DeviceOption.envPrefix}) and are read by the getters; this is for anything else.
   */
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * zmq linger of the command-line simulators: -1, deliver everything queued before exiting, as a
 * detector keeps its frames until the receiver has taken them (a slow pipeline back-pressures
 * the simulator; it must not drop the tail of the series when it is done sending). A second
 * signal still stops it at once.
 */
export const DELIVER_EVERYTHING = -1

/** What an ingester built by a device command is given besides its config. */
export interface DeviceIngesterDeps {
  readonly plane: ControlPlane
  readonly logger: IngesterLogger
}

/** `beamloom ingester <device>`: the options every ingester takes come from the CLI. */
export interface IngestCommand {
  /** One paragraph for `--help`. */
  readonly description: string
  /** Help of `--upstream`: the device address, with an example. */
  readonly upstreamHelp: string
  /** Options beyond the common ones, shown after them. */
  readonly options?: readonly DeviceOption[]
  /** The upstream with these options; absent: {@link DeviceType.upstream}. */
  upstream?(url: string, values: DeviceOptionValues): UpstreamFactory
  /**
   * An ingester that is more than the generic one over the upstream (Sardana's listener starts
   * before it); absent: the generic ingester.
   */
  ingester?(
    config: IngesterConfig,
    url: string,
    values: DeviceOptionValues,
    deps: DeviceIngesterDeps,
  ): Ingester
}

/** `beamloom simulate <device>`: every option is the device's (bind addresses differ). */
export interface SimulateCommand {
  /** One paragraph for `--help`. */
  readonly description: string
  readonly options: readonly DeviceOption[]
  /**
   * Create (not start) the simulator the options ask for, with what it plays for the
   * `simulating … on …` line. @throws ConfigError for options that do not go together.
   */
  create(values: DeviceOptionValues): { readonly what: string; readonly simulator: DeviceSimulator }
}
