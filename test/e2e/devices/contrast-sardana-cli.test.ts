import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'
import { readContrastCapture } from './contrast-capture.js'

/**
 * `beamloom simulate` and `beamloom ingester` for Contrast and Sardana, run from the compiled
 * CLI (dist/, built by `node scripts/build-if-stale.mjs` before the tests).
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

async function postJson(url: string, body: unknown, token?: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })
  await response.arrayBuffer()
  return response.status
}

describe('beamloom simulate / ingester for contrast and sardana', () => {
  it.each([
    [
      'contrast',
      ['--bind', '--mesh', '--motors', '--heartbeat', '--frames', '--rate', '--capture'],
    ],
    ['sardana', ['--target', '--frames', '--motor', '--counters', '--rate', '--token']],
  ])('simulate %s --help lists its options', async (device, options) => {
    const text = await help(['simulate', device])
    for (const option of options) expect(text).toContain(option)
  })

  it.each([
    ['contrast', []],
    ['sardana', ['--token']],
  ])('ingester %s --help lists its options', async (device, options) => {
    const text = await help(['ingester', device])
    for (const option of ['--stream', '--upstream', '--redis', '--bind', ...options]) {
      expect(text).toContain(option)
    }
  })

  it('both simulators, run from the CLI, feed their real ingesters in one scan', async () => {
    const contrastPort = await freePort()
    const sardanaPort = await freePort()
    const contrastUrl = `tcp://127.0.0.1:${contrastPort}`
    const sardanaUrl = `http://127.0.0.1:${sardanaPort}`
    const contrast = spawnBeamloom(
      'contrast',
      [
        'simulate',
        'contrast',
        '--bind',
        contrastUrl,
        '--rate',
        '0',
        '--capture',
        fixturePath('contrast-dump.cbors'),
      ],
      {},
    )
    // The Sardana simulator retries until the ingester (started by the scan below) listens.
    const sardana = spawnBeamloom(
      'sardana',
      ['simulate', 'sardana', '--target', sardanaUrl, '--frames', '20', '--rate', '0'],
      {},
    )
    children.push(contrast, sardana)
    const points = (await readContrastCapture(fixturePath('contrast-dump.cbors'))).filter(
      (m) => m.status === 'running',
    )
    const { events, progress } = await runDeviceScan({
      ingester: [
        { device: 'contrast', stream: 'contrast', url: contrastUrl },
        { device: 'sardana', stream: 'sardana', url: sardanaUrl },
      ],
      frames: 20,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 22 })
    expect(events['0']).toMatchObject({
      contrast: { protocol: 'contrast', kind: 'start' },
      sardana: { protocol: 'sardana', kind: 'start' },
    })
    for (const [i, point] of points.entries()) {
      const event = events[String(i + 1)]
      expect(event?.contrast?.sums['positions.sx']).toBe(point.sx)
      expect(event?.sardana?.sums['values.point_nb']).toBe(i)
    }
    expect(events['21']).toMatchObject({ contrast: { kind: 'end' }, sardana: { kind: 'end' } })
    expect(await contrast.exited).toBe(0)
    expect(await sardana.exited).toBe(0)
  })

  it.each([
    ['--token', ['--token', 'tok'], {}],
    ['INGESTER_TOKEN', [], { INGESTER_TOKEN: 'tok' }],
  ])(
    'beamloom ingester sardana listens at --upstream, wants the token of %s, and stops on SIGTERM',
    async (_, tokenArgs, tokenEnv) => {
      const port = await freePort()
      const url = `http://127.0.0.1:${port}`
      const child = spawnBeamloom(
        'sardana ingester',
        [
          'ingester',
          'sardana',
          '--stream',
          'sardana',
          '--upstream',
          url,
          ...tokenArgs,
          '--redis',
          process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        ],
        { REDIS_KEY_PREFIX: `cli-sardana-${randomUUID().slice(0, 8)}`, ...tokenEnv },
      )
      children.push(child)
      const desc = { serialno: 1, scandir: '/d', title: 't' }
      await vi.waitFor(
        async () => {
          expect(await postJson(`${url}/v1/data_desc`, desc).catch(() => 0)).toBe(401)
        },
        { timeout: 10_000, interval: 100 },
      )
      expect(await postJson(`${url}/v1/record_end`, {}, 'tok')).toBe(400)
      expect(await postJson(`${url}/v1/data_desc`, desc, 'tok')).toBe(200)
      expect(await postJson(`${url}/v1/record_data`, { timestamp: 1 }, 'tok')).toBe(200)
      child.process.kill('SIGTERM')
      expect(await child.exited).toBe(0)
    },
  )
})
