import { describe, expect, it } from 'vitest'
import { workerCommand } from '../../../cli/commands/worker.js'

function run(args: string[]): Promise<unknown> {
  const out: string[] = []
  const cmd = workerCommand()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) })
  return cmd.parseAsync(args, { from: 'user' }).then(
    () => out.join(''),
    (err: unknown) => ({ err, out: out.join('') }),
  )
}

describe('beamloom worker', () => {
  it('--help lists the options', async () => {
    const result = (await run(['--help'])) as { out: string }
    for (const option of ['--worker', '--name', '--tags', '--window', '--redis']) {
      expect(result.out).toContain(option)
    }
  })

  it('refuses a bad window before anything starts', async () => {
    const result = (await run(['-w', 'a.ts:W', '--window', '0'])) as { out: string }
    expect(result.out).toMatch(/positive integer/)
  })

  it('a bad tag list is a config error naming the variable', async () => {
    const result = (await run(['-w', 'a.ts:W', '--tags', 'a,,b'])) as { err: unknown }
    expect(result.err).toMatchObject({ code: 'CONFIG_INVALID' })
    expect(String((result.err as Error).message)).toContain('WORKER_TAGS')
  })
})
