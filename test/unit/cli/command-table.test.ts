import { describe, expect, it } from 'vitest'
import { COMMANDS, invokedCommand, placeholderCommand } from '../../../cli/command-table.js'
import { buildProgram } from '../../../cli/main.js'

describe('the top-level command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'lists %s as the command it loads',
    async (name, entry) => {
      const command = await entry.load('0.0.0')
      expect(command.name()).toBe(name)
      expect(command.description()).toBe(entry.description)
      expect(command.options.length > 0).toBe(entry.hasOptions)
    },
    60_000,
  )

  it('shows the same top-level help with placeholders as with every command loaded', async () => {
    const lazy = await buildProgram('0.0.0', ['--help'])
    const full = await buildProgram('0.0.0')
    expect(lazy.helpInformation()).toBe(full.helpInformation())
    expect(lazy.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name))
  }, 60_000)

  it('loads only the command that runs', async () => {
    const program = await buildProgram('0.0.0', ['ingester', 'stins', '--help'])
    const ingester = program.commands.find((c) => c.name() === 'ingester')
    expect(ingester?.commands.length).toBeGreaterThan(0)
    const worker = program.commands.find((c) => c.name() === 'worker')
    expect(worker?.options.map((o) => o.long)).toEqual(['--placeholder'])
  }, 60_000)

  it('finds the command after the top-level options and after help', () => {
    expect(invokedCommand(['--help'])).toBeUndefined()
    expect(invokedCommand(['replay', '-w', 'w.ts:W'])).toBe('replay')
    expect(invokedCommand(['help', 'simulate'])).toBe('simulate')
    expect(invokedCommand(['-h', 'help', 'up'])).toBe('up')
    expect(placeholderCommand(COMMANDS[0]!).name()).toBe(COMMANDS[0]!.name)
  })
})
