import { Command } from 'commander'
import type { DeviceSimulator } from '../../ingesters/index.js'
import { DEVICES, type DeviceType } from '../../ingesters/index.js'
import { runWithSignals } from '../../src/internal.js'
import { optionValues, toOption } from './device-options.js'

/** Run a simulator until it sent everything (or a signal), reporting on stderr. */
export async function runSimulator(what: string, simulator: DeviceSimulator): Promise<void> {
  // Once everything is queued, a graceful close delivers it (zmq linger) and ends the command.
  void simulator.done.then(() => simulator.close())
  process.exitCode = await runWithSignals(simulator, {
    drainTimeoutMs: 10_000,
    onEvent: (event) => {
      if (event.kind === 'started') {
        process.stderr.write(
          `simulating ${what} on ${simulator.endpoint}; waiting for a receiver\n`,
        )
      } else if (event.kind === 'closed') {
        const error = event.error ? ` (${event.error.message})` : ''
        process.stderr.write(`sent ${simulator.sentMessages} messages${error}\n`)
      }
    },
  })
}

/** `beamloom simulate <device>`: the device's options ({@link DeviceType.simulate}). */
export function deviceSimulateCommand(device: DeviceType): Command {
  const command: Command = new Command(device.name).description(device.simulate.description)
  for (const option of device.simulate.options) command.addOption(toOption(option))
  return command.action(() => {
    const { what, simulator } = device.simulate.create(
      optionValues(command, process.env, device.simulate.options),
    )
    return runSimulator(what, simulator)
  })
}

/** `beamloom simulate <device>`, one subcommand per device of the registry. */
export function simulateCommand(): Command {
  const command = new Command('simulate').description(
    'simulate a device, speaking its wire protocol, for tests and demos',
  )
  for (const device of DEVICES.values()) command.addCommand(deviceSimulateCommand(device))
  return command
}
