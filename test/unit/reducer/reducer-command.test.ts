import { describe, expect, it } from 'vitest'
import { reducerCommand, reducerEnvFromFlags, runReducer } from '../../../cli/commands/reducer.js'
import { parseReducerEnv } from '../../../reducer/index.js'
import { isBeamloomError } from '../../../src/internal.js'

describe('beamloom reducer', () => {
  it('documents its options', () => {
    const help = reducerCommand().helpInformation()
    const flags = [
      '--reducer',
      '--port',
      '--bind',
      '--redis',
      '--host',
      '--name',
      '--h5-dir',
      '--token',
    ]
    for (const flag of flags) {
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

  it('lays the flags over the env: HDF5 directory and token included', () => {
    const cmd = reducerCommand().exitOverride()
    cmd.action(() => {})
    cmd.parse(['-r', 'r.ts:R', '--h5-dir', '/data/h5', '--token', 'abc'], { from: 'user' })
    const env = reducerEnvFromFlags(cmd.opts(), {
      REDUCER_H5_DIR: '/elsewhere',
      REDUCER_PORT: '7000',
    })
    const config = parseReducerEnv(env)
    expect(config.reducer).toMatchObject({ h5Dir: '/data/h5', token: 'abc', httpPort: 7000 })
  })

  it('rejects a port that is not a number', () => {
    const cmd = reducerCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
    expect(() => cmd.parse(['-r', 'r.ts:R', '--port', 'x'], { from: 'user' })).toThrow(/port/)
  })
})
