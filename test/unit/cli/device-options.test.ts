import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { optionEnvName, optionValues, toOption } from '../../../cli/commands/device-options.js'
import { ingesterCommand } from '../../../cli/commands/ingester.js'
import { simulateCommand } from '../../../cli/commands/simulate.js'
import type { DeviceOption } from '../../../ingesters/index.js'
import { deviceType } from '../../../ingesters/index.js'

type Env = Readonly<Record<string, string | undefined>>

/** `beamloom <parent> <device>` with `args`, parsed but not run. */
function parsed(parent: Command, device: string, args: readonly string[]): Command {
  const command = parent.commands.find((c) => c.name() === device)
  if (command === undefined) throw new Error(`no subcommand ${device}`)
  command.exitOverride().action(() => {})
  command.parse([...args], { from: 'user' })
  return command
}

/** A command of the options `specs`, parsed from `args`, and their values with `env`. */
function valuesOf(specs: readonly DeviceOption[], args: readonly string[], env: Env) {
  const command = new Command('device').exitOverride().action(() => {})
  for (const spec of specs) command.addOption(toOption(spec))
  command.parse([...args], { from: 'user' })
  return optionValues(command, env, specs)
}

describe('device options that fall back to a variable', () => {
  const sardana = deviceType('sardana')

  it('names the variable by the config helper: the prefix and the option in UPPER_SNAKE case', () => {
    expect(
      optionEnvName({ flags: '--token <token>', description: '', envPrefix: 'INGESTER' }),
    ).toBe('INGESTER_TOKEN')
    expect(
      optionEnvName({ flags: '--three-messages <n>', description: '', envPrefix: 'SIMULATOR' }),
    ).toBe('SIMULATOR_THREE_MESSAGES')
    expect(optionEnvName({ flags: '--token <token>', description: '' })).toBeUndefined()
    const declared = [...(sardana.ingest.options ?? []), ...sardana.simulate.options]
      .map(optionEnvName)
      .filter((name) => name !== undefined)
    expect(declared).toEqual(['INGESTER_TOKEN', 'INGESTER_TOKEN'])
  })

  it('beamloom ingester sardana reads INGESTER_TOKEN when --token is not given; the flag wins', () => {
    const options = sardana.ingest.options ?? []
    const env = { INGESTER_TOKEN: 'from-env' }
    const plain = parsed(ingesterCommand(), 'sardana', ['--stream', 's'])
    expect(optionValues(plain, env, options).string('token')).toBe('from-env')
    expect(optionValues(plain, {}, options).string('token')).toBeUndefined()
    const flagged = parsed(ingesterCommand(), 'sardana', ['--token', 'from-flag'])
    expect(optionValues(flagged, env, options).string('token')).toBe('from-flag')
  })

  it('beamloom simulate sardana reads INGESTER_TOKEN when --token is not given; the flag wins', () => {
    const options = sardana.simulate.options
    const env = { INGESTER_TOKEN: 'from-env' }
    const plain = parsed(simulateCommand(), 'sardana', [])
    expect(optionValues(plain, env, options).string('token')).toBe('from-env')
    const flagged = parsed(simulateCommand(), 'sardana', ['--token', 'from-flag'])
    expect(optionValues(flagged, env, options).string('token')).toBe('from-flag')
  })

  it('names the variable in --help, as the hand-written text did', () => {
    const help = (parent: Command) =>
      parent.commands
        .find((c) => c.name() === 'sardana')
        ?.helpInformation()
        .replace(/\s+/g, ' ')
    expect(help(ingesterCommand())).toContain(
      '--token <token> bearer token every POST must carry; unset: no check [INGESTER_TOKEN]',
    )
    expect(help(simulateCommand())).toContain(
      '--token <token> bearer token the ingester wants [INGESTER_TOKEN]',
    )
  })

  it("reads the variable before the default, with the option's checks", () => {
    const frames: DeviceOption = {
      flags: '--frames <n>',
      description: 'frames',
      parse: 'nonNegativeInt',
      default: 10,
      envPrefix: 'SIMULATOR',
    }
    const dtype: DeviceOption = {
      flags: '--dtype <type>',
      description: 'pixel type',
      choices: ['uint8', 'uint16'],
      envPrefix: 'SIMULATOR',
    }
    const specs = [frames, dtype]
    const fromEnv = valuesOf(specs, [], { SIMULATOR_FRAMES: '7', SIMULATOR_DTYPE: 'uint8' })
    expect([fromEnv.number('frames'), fromEnv.string('dtype')]).toEqual([7, 'uint8'])
    expect(fromEnv.fromDefault('frames')).toBe(false)
    const byDefault = valuesOf(specs, [], {})
    expect([byDefault.number('frames'), byDefault.fromDefault('frames')]).toEqual([10, true])
    expect(valuesOf(specs, ['--frames', '3'], { SIMULATOR_FRAMES: '7' }).number('frames')).toBe(3)
    expect(() => valuesOf(specs, [], { SIMULATOR_FRAMES: 'many' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: 'SIMULATOR_FRAMES: expected a whole number ≥ 0',
      }),
    )
    expect(() => valuesOf(specs, [], { SIMULATOR_DTYPE: 'float' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: 'SIMULATOR_DTYPE: expected one of uint8, uint16',
      }),
    )
  })

  it('refuses a switch that declares a variable (a declaration error)', () => {
    expect(() =>
      toOption({ flags: '--loop', description: 'again', envPrefix: 'SIMULATOR' }),
    ).toThrow(expect.objectContaining({ code: 'STATE_INVALID' }))
  })
})
