import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  type ControlPlane,
  DATA_PATH_ENV,
  type Logger,
  missingDataPathEnv,
  runRole,
  ServiceBase,
} from '../../../src/internal.js'

interface Line {
  level: string
  message: string
}

function recorder(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = []
  const at =
    (level: string) =>
    (_fields: object, message: string): void => {
      lines.push({ level, message })
    }
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  }
}

/** A role service that records the plane it was given and can end by itself. */
class FakeRole extends ServiceBase {
  plane: ControlPlane | undefined
  constructor(
    plane: ControlPlane | undefined,
    readonly startError?: Error,
  ) {
    super('fake role')
    this.plane = plane
  }
  protected override async onStart(): Promise<void> {
    if (this.startError) throw this.startError
  }
  end(err: Error): void {
    this.fail(err)
  }
}

const memoryConfig = { keyPrefix: 'run-role-test' }

/** `runRole` on an in-memory plane with a recorded log; `role()` is the role once made. */
function runInMemory(
  role: 'worker' | 'ingester' | 'reducer',
  name: string,
  source: EventEmitter = new EventEmitter(),
) {
  const { logger, lines } = recorder()
  let made: FakeRole | undefined
  const run = runRole({
    role,
    name,
    logger,
    controlPlane: memoryConfig,
    withoutRedis: 'memory',
    drainTimeoutMs: 1000,
    make: (plane) => {
      made = new FakeRole(plane)
      return made
    },
    source,
  })
  return { run, lines, role: () => made }
}

describe('runRole', () => {
  it('refuses to start without Redis when the role needs it, saying how to set it', async () => {
    const { logger } = recorder()
    await expect(
      runRole({
        role: 'worker',
        name: 'w1',
        logger,
        controlPlane: memoryConfig,
        withoutRedis: 'refuse',
        howToSetRedis: 'set REDIS_URL or pass --redis <url>',
        drainTimeoutMs: 1000,
        make: (plane) => new FakeRole(plane),
        source: new EventEmitter(),
      }),
    ).rejects.toThrow(
      new ConfigError(
        'beamloom worker needs the shared control plane (Redis): set REDIS_URL or pass --redis <url>',
      ),
    )
  })

  it('runs the role on an in-memory plane where allowed, with a warning, until SIGTERM (exit 0)', async () => {
    const source = new EventEmitter()
    const { run, lines, role } = runInMemory('reducer', 'r1', source)
    await expect.poll(() => role()?.state).toBe('running')
    expect(role()?.plane?.state).toBe('running')
    source.emit('SIGTERM')
    expect(await run).toBe(0)
    expect(role()?.state).toBe('closed')
    expect(role()?.plane?.state).toBe('closed')
    expect(lines).toContainEqual({
      level: 'warn',
      message: 'no REDIS_URL: in-memory control plane, no other process can reach this reducer',
    })
    expect(lines.filter((l) => l.message.includes('--single-threaded-gc'))).toEqual([])
    expect(lines.filter((l) => l.message.includes('MALLOC_'))).toEqual([])
  })

  it('ends with code 1 and an error line when the role ends by itself', async () => {
    const { run, lines, role } = runInMemory('ingester', 'i1')
    await expect.poll(() => role()?.state).toBe('running')
    role()?.end(new Error('device gone'))
    expect(await run).toBe(1)
    expect(lines).toContainEqual({ level: 'error', message: 'ingester ended with an error' })
    // An ingester moves frames: it says so when node runs it without the data-path flags.
    const hint = lines.filter((l) => l.message.includes('without --single-threaded-gc'))
    expect(hint.length).toBe(process.execArgv.includes('--single-threaded-gc') ? 0 : 1)
  })

  it("says when a role that moves frames runs without glibc's allocator settings", async () => {
    const saved = Object.fromEntries(
      [...Object.keys(DATA_PATH_ENV), 'GLIBC_TUNABLES'].map((k) => [k, process.env[k]]),
    )
    for (const k of Object.keys(saved)) delete process.env[k]
    try {
      const run = async (role: 'worker' | 'ingester' | 'reducer', env: Record<string, string>) => {
        Object.assign(process.env, env)
        const started = runInMemory(role, 'r1')
        await expect.poll(() => started.role()?.state).toBe('running')
        started.role()?.end(new Error('done'))
        await started.run
        const { lines } = started
        for (const k of Object.keys(env)) delete process.env[k]
        return lines.filter((l) => l.message.includes('in its environment')).map((l) => l.message)
      }
      const missing = missingDataPathEnv('worker', {})
      expect(missing).toHaveLength(2)
      const [hint] = await run('worker', {})
      for (const m of missing) expect(hint).toContain(m)
      expect(await run('ingester', { ...DATA_PATH_ENV })).toEqual([])
      expect(await run('reducer', {})).toEqual([])
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v
    }
  })

  it('rethrows bad input (a module that does not load) for the CLI to report with exit 2', async () => {
    const { logger } = recorder()
    const bad = new ConfigError('WORKER_MODULE: missing')
    await expect(
      runRole({
        role: 'worker',
        name: 'w2',
        logger,
        controlPlane: memoryConfig,
        withoutRedis: 'memory',
        drainTimeoutMs: 1000,
        make: (plane) => new FakeRole(plane, bad),
        source: new EventEmitter(),
      }),
    ).rejects.toBe(bad)
  })

  it('runs a role without a control plane (the autoscaler), its running line once started', async () => {
    const { logger, lines } = recorder()
    const source = new EventEmitter()
    let role: FakeRole | undefined
    const run = runRole({
      role: 'autoscaler',
      name: 'workers',
      logger,
      controlPlane: 'none',
      drainTimeoutMs: 1000,
      make: () => {
        role = new FakeRole(undefined)
        return role
      },
      onRunning: () => logger.info({}, 'autoscaler running'),
      source,
    })
    await expect.poll(() => lines.map((l) => l.message)).toContain('autoscaler running')
    expect(role?.state).toBe('running')
    source.emit('SIGTERM')
    expect(await run).toBe(0)
    expect(role?.state).toBe('closed')
    expect(lines.map((l) => l.message)).toEqual([
      'autoscaler started',
      'autoscaler running',
      'autoscaler stopping',
    ])
  })
})
