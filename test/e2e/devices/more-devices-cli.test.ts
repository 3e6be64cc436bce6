import { afterEach, describe, expect, it } from 'vitest'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

/**
 * `beamloom simulate` and `beamloom ingester` for AlbaEM, LeCroy and Eiger Stream V2, run
 * from the compiled CLI (dist/, built by `node scripts/build-if-stale.mjs` before the tests).
 */

const children: Child[] = []
afterEach(async () => {
  await stopAll(children.splice(0))
})

async function help(args: string[]): Promise<string> {
  const child = spawnBeamloom(args.join(' '), [...args, '--help'], {})
  children.push(child)
  expect(await child.exited).toBe(0)
  return child.output()
}

describe('beamloom simulate / ingester for albaem, lecroy, eiger-v2', () => {
  it.each([
    ['albaem', ['--channels', '--naming', 'channel_0']],
    ['lecroy', ['--channels', '--triggers', '--samples', '--mode', 'continuous']],
    ['eiger-v2', ['--shape', '--dtype', '--compression', 'lz4', '--thresholds']],
  ])('simulate %s --help lists its options', async (device, options) => {
    const text = await help(['simulate', device])
    for (const option of ['--bind', '--frames', '--rate', '--capture', ...options]) {
      expect(text).toContain(option)
    }
  })

  it.each(['albaem', 'lecroy', 'eiger-v2'])(
    'ingester %s --help lists its options',
    async (device) => {
      const text = await help(['ingester', device])
      for (const option of ['--stream', '--upstream', '--redis', '--bind']) {
        expect(text).toContain(option)
      }
    },
  )

  it('the three simulators, run from the CLI, feed their real ingesters in one scan', async () => {
    const [em, scope, eiger] = [await freePort(), await freePort(), await freePort()]
    const url = (port: number) => `tcp://127.0.0.1:${port}`
    children.push(
      spawnBeamloom(
        'albaem',
        [
          'simulate',
          'albaem',
          '--bind',
          url(em),
          '--rate',
          '0',
          '--capture',
          fixturePath('albaem-dump.cbors'),
        ],
        {},
      ),
      spawnBeamloom(
        'lecroy',
        [
          'simulate',
          'lecroy',
          '--bind',
          url(scope),
          '--rate',
          '0',
          '--frames',
          '4',
          '--samples',
          '100',
        ],
        {},
      ),
      spawnBeamloom(
        'eiger',
        [
          'simulate',
          'eiger-v2',
          '--bind',
          url(eiger),
          '--rate',
          '0',
          '--frames',
          '4',
          '--shape',
          '16,24',
          '--thresholds',
          '2',
          '--compression',
          'lz4',
        ],
        {},
      ),
    )
    const { events, progress } = await runDeviceScan({
      ingester: [
        { device: 'albaem', stream: 'em', url: url(em) },
        { device: 'lecroy', stream: 'scope', url: url(scope) },
        { device: 'eiger-v2', stream: 'eiger', url: url(eiger) },
      ],
      frames: 4,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 6 })
    expect(events['0']).toMatchObject({
      em: { protocol: 'albaem', kind: 'start' },
      scope: { protocol: 'lecroy', kind: 'start' },
      eiger: { protocol: 'eiger-v2', kind: 'start' },
    })
    for (let i = 1; i <= 4; i++) {
      const event = events[String(i)]
      expect(event?.em?.sums.frameNumber).toBe(i - 1)
      expect(event?.em?.lengths.currents).toBe(4)
      expect(event?.scope?.sums.seqno).toBe(i - 1)
      expect(event?.scope?.lengths['traces.1.data']).toBe(3 * 100)
      expect(event?.eiger?.sums.imageId).toBe(i - 1)
      expect(event?.eiger?.lengths['images.threshold_2.data']).toBe(16 * 24)
    }
    expect(events['5']).toMatchObject({
      em: { kind: 'end' },
      scope: { kind: 'end' },
      eiger: { kind: 'end' },
    })
    for (const child of children) expect(await child.exited).toBe(0)
  })
})
