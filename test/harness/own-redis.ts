import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { vi } from 'vitest'
import { freePort } from './processes.js'

/**
 * A redis-server of the test's own, on a free port in a temp dir, that the test may stop and
 * start again (the shared Redis on 6379 is never touched). With `aof`, it keeps an append-only
 * file fsynced on every write, as a deployment with persistence would.
 */
export class OwnRedis {
  readonly port: number
  readonly dir: string
  #child: ChildProcess | undefined
  #aof: boolean

  private constructor(port: number, dir: string, aof: boolean) {
    this.port = port
    this.dir = dir
    this.#aof = aof
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  static async start(options: { aof: boolean }): Promise<OwnRedis> {
    const redis = new OwnRedis(
      await freePort(),
      await mkdtemp(join(tmpdir(), 'beamloom-redis-')),
      options.aof,
    )
    await redis.start()
    return redis
  }

  /** Start the server (again), with or without the data it persisted (`empty`: a fresh dir). */
  async start(opts: { empty?: boolean } = {}): Promise<void> {
    if (opts.empty) {
      await rm(join(this.dir, 'appendonlydir'), { recursive: true, force: true })
    }
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.#aof && !opts.empty ? 'yes' : 'no',
      '--appendfsync',
      'always',
    ]
    const child = spawn('redis-server', args, { stdio: 'ignore' })
    this.#child = child
    await vi.waitFor(
      async () => {
        const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
        probe.on('error', () => {
          // Refused while the server starts: the next poll tries again.
        })
        try {
          await probe.connect()
          await probe.ping()
        } finally {
          probe.disconnect()
        }
      },
      { timeout: 15_000, interval: 50 },
    )
  }

  /** Stop the server: SIGTERM (it saves and exits cleanly) or SIGKILL; waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }

  /** Stop the server and remove its files. */
  async close(): Promise<void> {
    await this.stop('SIGKILL')
    await rm(this.dir, { recursive: true, force: true })
  }
}
