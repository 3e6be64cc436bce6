import { Command } from 'commander'
import { type ErrorCode, isBeamloomError } from '../src/index.js'
import { autoscalerCommand } from './commands/autoscaler.js'
import { controllerCommand } from './commands/controller.js'
import { ingesterCommand } from './commands/ingester.js'
import { keysCommand } from './commands/keys.js'
import { reducerCommand } from './commands/reducer.js'
import { simulateCommand } from './commands/simulate.js'
import { workerCommand } from './commands/worker.js'
import { EXIT_BAD_INPUT, EXIT_FAILED } from './exit-codes.js'
import { replayCommand } from './replay/replay-command.js'
import { upCommand } from './up/up-command.js'

/** Error codes that are not the input's fault: exit 1, not 2. */
const RUN_FAILURES: ReadonlySet<ErrorCode> = new Set(['UPSTREAM_CLOSED', 'STATE_INVALID'])

/**
 * Every command and subcommand throws commander's errors instead of exiting (so {@link main}
 * decides the exit code) and points at `--help` after a usage error.
 */
function throwUsageErrors(command: Command, path: readonly string[] = []): void {
  command.exitOverride((err) => {
    throw err
  })
  if (path.length === 0) command.showHelpAfterError()
  else command.showHelpAfterError(`(see: beamloom ${path.join(' ')} --help)`)
  for (const sub of command.commands) throwUsageErrors(sub, [...path, sub.name()])
}

/** Build the `beamloom` command with every subcommand. */
export function buildProgram(version: string): Command {
  const program = new Command('beamloom')
    .description('live map-reduce for beamline experiments')
    .version(version)
    .addCommand(upCommand())
    .addCommand(replayCommand())
    .addCommand(controllerCommand(version))
    .addCommand(workerCommand())
    .addCommand(reducerCommand())
    .addCommand(ingesterCommand())
    .addCommand(simulateCommand())
    .addCommand(autoscalerCommand())
    .addCommand(keysCommand())
  throwUsageErrors(program)
  return program
}

/** A Node file-system error (`ENOENT`, `EACCES`, …) naming a path. */
function isFileError(err: unknown): err is NodeJS.ErrnoException & { path: string } {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).path === 'string'
  )
}

/**
 * Run the CLI: exit code 0 on success, 1 when the run failed (analysis code failed on some
 * event, a scan did not finish, the control plane was lost), 2 on bad input (usage, unknown
 * options, files that cannot be read, modules, parameters, config) — see docs/cli.md.
 */
export async function main(argv: readonly string[], version: string): Promise<void> {
  try {
    await buildProgram(version).parseAsync([...argv])
  } catch (err) {
    if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
      // commander already printed the usage error, or the help or version asked for.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT
      return
    }
    if (isBeamloomError(err) || err instanceof RangeError || isFileError(err)) {
      process.stderr.write(`error: ${err.message}\n`)
      if (err.cause instanceof Error && process.env.BEAMLOOM_DEBUG) {
        process.stderr.write(`${err.cause.stack}\n`)
      }
      process.exitCode =
        isBeamloomError(err) && RUN_FAILURES.has(err.code) ? EXIT_FAILED : EXIT_BAD_INPUT
      return
    }
    throw err
  }
}
