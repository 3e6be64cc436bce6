import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { ingesterCommand } from '../../../cli/commands/ingester.js'
import { simulateCommand } from '../../../cli/commands/simulate.js'
import { DEVICES } from '../../../ingesters/devices.js'

/** The long flags of a command, as commander knows them (hidden ones included). */
function flagsOf(command: Command): string[] {
  return command.options.map((o) => o.long ?? o.short ?? '')
}

function sub(parent: Command, name: string): Command {
  const found = parent.commands.find((c) => c.name() === name)
  if (found === undefined) throw new Error(`no subcommand ${name} of ${parent.name()}`)
  return found
}

/** The flags every `beamloom ingester <device>` takes (docs/ingesters.md, the Helm chart). */
const INGESTER_FLAGS = [
  '--stream',
  '--upstream',
  '--name',
  '--bind',
  '--advertise-host',
  '--redis',
  '--dump-dir',
  '--metrics-port',
  '--log-level',
  '--log-format',
]

/**
 * The flags each `beamloom simulate <device>` took when every command was written by hand:
 * written out here, not read from the registry, so a flag that disappears from a device fails.
 */
const SIMULATE_FLAGS: Record<string, readonly string[]> = {
  stins: [
    '--bind',
    '--frames',
    '--shape',
    '--dtype',
    '--rate',
    '--bslz4',
    '--capture',
    '--h5',
    '--from-h5',
    '--loop',
    '--filename',
  ],
  'eiger-legacy': ['--bind', '--frames', '--shape', '--dtype', '--rate', '--capture'],
  xspress3: [
    '--bind',
    '--frames',
    '--channels',
    '--bins',
    '--rate',
    '--three-messages',
    '--capture',
    '--filename',
  ],
  albaem: ['--bind', '--frames', '--channels', '--naming', '--rate', '--capture'],
  lecroy: [
    '--bind',
    '--frames',
    '--channels',
    '--triggers',
    '--samples',
    '--mode',
    '--rate',
    '--capture',
  ],
  'eiger-v2': [
    '--bind',
    '--frames',
    '--shape',
    '--dtype',
    '--compression',
    '--thresholds',
    '--header-detail-all',
    '--rate',
    '--capture',
  ],
  contrast: ['--bind', '--mesh', '--frames', '--motors', '--heartbeat', '--rate', '--capture'],
  sardana: ['--target', '--frames', '--motor', '--counters', '--rate', '--token'],
  pcap: [
    '--bind',
    '--frames',
    '--rate',
    '--fields',
    '--acquisitions',
    '--drop-after',
    '--bad-rows',
    '--capture',
  ],
  'pcap-zmq': ['--bind', '--frames', '--batch', '--rate', '--capture'],
}

/** The flags some ingesters take beyond the common ones. */
const INGESTER_EXTRA_FLAGS: Record<string, readonly string[]> = {
  sardana: ['--token'],
  pcap: ['--capture-options', '--header'],
  'pcap-zmq': ['--events'],
}

describe('beamloom ingester <device> and simulate <device>', () => {
  it('has one ingester and one simulate command per registered device, and no other', () => {
    const names = [...DEVICES.keys()].sort()
    expect(
      ingesterCommand()
        .commands.map((c) => c.name())
        .sort(),
    ).toEqual(names)
    expect(
      simulateCommand()
        .commands.map((c) => c.name())
        .sort(),
    ).toEqual(names)
    expect(Object.keys(SIMULATE_FLAGS).sort()).toEqual(names)
  })

  it.each(Object.keys(SIMULATE_FLAGS))('ingester %s takes the common flags and its own', (name) => {
    const flags = flagsOf(sub(ingesterCommand(), name))
    expect(flags).toEqual([...INGESTER_FLAGS, ...(INGESTER_EXTRA_FLAGS[name] ?? [])])
  })

  it.each(Object.entries(SIMULATE_FLAGS))('simulate %s takes its flags', (name, expected) => {
    expect(flagsOf(sub(simulateCommand(), name))).toEqual(expected)
  })

  it('keeps the defaults and checks of the hand-written commands', () => {
    const stins = sub(simulateCommand(), 'stins').exitOverride()
    stins.action(() => {})
    stins.parse(['--shape', '32,16', '--rate', '0'], { from: 'user' })
    expect(stins.opts()).toMatchObject({
      bind: 'tcp://127.0.0.1:9999',
      frames: 100,
      shape: [32, 16],
      dtype: 'uint16',
      rate: 0,
    })
    const contrast = sub(simulateCommand(), 'contrast').exitOverride()
    contrast.action(() => {})
    contrast.parse([], { from: 'user' })
    expect(contrast.opts()).toMatchObject({ mesh: [4, 5], motors: ['sx', 'sy'], heartbeat: 10 })
    const xspress3 = sub(simulateCommand(), 'xspress3')
      .exitOverride()
      .configureOutput({
        writeErr: () => {},
      })
    expect(() => xspress3.parse(['--bins', '0'], { from: 'user' })).toThrow(/positive integer/)
    const mesh = sub(simulateCommand(), 'contrast')
      .exitOverride()
      .configureOutput({
        writeErr: () => {},
      })
    expect(() => mesh.parse(['--mesh', '4y5'], { from: 'user' })).toThrow(/mesh '4y5'/)
  })
})
