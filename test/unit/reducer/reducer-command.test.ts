import { describe, expect, it } from 'vitest'
import { reducerCommand, runReducer } from '../../../cli/commands/reducer.js'
import { isBeamloomError } from '../../../src/index.js'

describe('beamloom reducer', () => {
  it('documents its options', () => {
    const help = reducerCommand().helpInformation()
    for (const flag of ['--reducer', '--port', '--bind', '--redis', '--host', '--name']) {
      expect(help).toContain(flag)
    }
  })

  it('refuses bad config before opening anything', async () => {
    await expect(runReducer({}, {})).rejects.toSatisfy((err) =>
      isBeamloomError(err, 'CONFIG_INVALID'),
    )
    await expect(runReducer({ reducer: 'r.ts:R', redis: 'http://x' }, {})).rejects.toSatisfy(
      (err) => isBeamloomError(err, 'CONFIG_INVALID'),
    )
  })

  it('rejects a port that is not a number', () => {
    const cmd = reducerCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
    expect(() => cmd.parse(['-r', 'r.ts:R', '--port', 'x'], { from: 'user' })).toThrow(/port/)
  })
})
