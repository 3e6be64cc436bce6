import { Command } from 'commander'
import { isBeamloomError } from '../src/index.js'
import { autoscalerCommand } from './commands/autoscaler.js'
import { controllerCommand } from './commands/controller.js'
import { ingesterCommand } from './commands/ingester.js'
import { reducerCommand } from './commands/reducer.js'
import { simulateCommand } from './commands/simulate.js'
import { workerCommand } from './commands/worker.js'
import { replayCommand } from './replay/replay-command.js'
import { upCommand } from './up/up-command.js'

/** Build the `beamloom` command with every subcommand. */
export function buildProgram(version: string): Command {
  return new Command('beamloom')
    .description('live map-reduce for beamline experiments')
    .version(version)
    .showHelpAfterError()
    .addCommand(upCommand())
    .addCommand(replayCommand())
    .addCommand(controllerCommand(version))
    .addCommand(workerCommand())
    .addCommand(reducerCommand())
    .addCommand(ingesterCommand())
    .addCommand(simulateCommand())
    .addCommand(autoscalerCommand())
}

/**
 * Run the CLI: exit code 0 on success, 1 when analysis code failed on some event, 2 on bad
 * input (usage, modules, recordings, parameters).
 */
export async function main(argv: readonly string[], version: string): Promise<void> {
  try {
    await buildProgram(version)
      .exitOverride((err) => {
        throw err
      })
      .parseAsync([...argv])
  } catch (err) {
    if (err instanceof Error && 'exitCode' in err && typeof err.exitCode === 'number') {
      // commander already printed usage or help.
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    if (isBeamloomError(err) || err instanceof RangeError) {
      process.stderr.write(`error: ${err.message}\n`)
      if (err.cause instanceof Error && process.env.BEAMLOOM_DEBUG) {
        process.stderr.write(`${err.cause.stack}\n`)
      }
      process.exitCode = 2
      return
    }
    throw err
  }
}
