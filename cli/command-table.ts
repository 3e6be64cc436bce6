import { Command, Option } from 'commander'

/**
 * The `beamloom` commands as the top-level `--help` lists them. A command's code (and the engine
 * behind it) is imported only when that command runs or its own help is asked for, so
 * `beamloom --help` and each command start without loading the others (issue 14: ≤ 0.4 s).
 * `test/unit/cli/command-table.test.ts` checks each line against the command it loads.
 */
export interface LazyCommand {
  readonly name: string
  /** The command's one-line description, as the command itself declares it. */
  readonly description: string
  /** Whether it takes options (the listing shows `[options]`). */
  readonly hasOptions: boolean
  /** The whole command, with its subcommands. */
  load(version: string): Promise<Command>
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'up',
    description:
      'run a whole live scan in this process: simulated or real sources, controller, workers, reducer',
    hasOptions: true,
    load: async () => (await import('./up/up-command.js')).upCommand(),
  },
  {
    name: 'replay',
    description:
      'run a worker and a reducer over recorded scans (.cbors), raw captures, HDF5 image stacks or a source class in this process, as a live scan would',
    hasOptions: true,
    load: async () => (await import('./replay/replay-command.js')).replayCommand(),
  },
  {
    name: 'controller',
    description: 'run the controller: HTTP API for trigger maps, scans, parameters and logs',
    hasOptions: true,
    load: async (version) => (await import('./commands/controller.js')).controllerCommand(version),
  },
  {
    name: 'worker',
    description:
      'run a worker: joins the scans the controller runs and applies the analysis to its events',
    hasOptions: true,
    load: async () => (await import('./commands/worker.js')).workerCommand(),
  },
  {
    name: 'reducer',
    description:
      'run the reducer: reduce results from the workers, serve publish over HTTP (env REDUCER_*)',
    hasOptions: true,
    load: async () => (await import('./commands/reducer.js')).reducerCommand(),
  },
  {
    name: 'ingester',
    description: 'run an ingester: read a device and forward its frames to the workers',
    hasOptions: false,
    load: async () => (await import('./commands/ingester.js')).ingesterCommand(),
  },
  {
    name: 'simulate',
    description: 'simulate a device, speaking its wire protocol, for tests and demos',
    hasOptions: false,
    load: async () => (await import('./commands/simulate.js')).simulateCommand(),
  },
  {
    name: 'autoscaler',
    description:
      "scale a worker Deployment on Kubernetes from the controller's load and backlog (env AUTOSCALER_*)",
    hasOptions: true,
    load: async () => (await import('./commands/autoscaler.js')).autoscalerCommand(),
  },
  {
    name: 'keys',
    description: 'make a data-plane CURVE key file (for DATA_PLANE_KEY_FILE)',
    hasOptions: true,
    load: async () => (await import('./commands/keys.js')).keysCommand(),
  },
]

/**
 * A stand-in that lists like the command (name, description, `[options]`) without loading it:
 * for the commands that are not run.
 */
export function placeholderCommand(entry: LazyCommand): Command {
  const command = new Command(entry.name).description(entry.description)
  // Hidden; it only makes the top-level listing show `[options]`, as the real command does.
  if (entry.hasOptions) command.addOption(new Option('--placeholder').hideHelp())
  return command
}

/**
 * The command `args` (the arguments after `beamloom`) run or ask help for: the first that is
 * not an option (the top level's options take no value), or the one after `help`.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'))
  return words[0] === 'help' ? words[1] : words[0]
}
