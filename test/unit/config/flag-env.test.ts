import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  EnvRead,
  type FlagTargets,
  flagEnvNames,
  layFlags,
  parseRoleEnv,
  type RoleEnvSpec,
} from '../../../src/internal.js'

const Settings = z.strictObject({
  module: z.string().min(1),
  windowEvents: z.int().min(2).default(64),
  tags: z.array(z.string()).default([]),
  httpPort: z.int().default(80),
  verbose: z.boolean().default(false),
})

const Spec = {
  role: 'test',
  prefix: 'TEST',
  schema: Settings,
  settings: {
    module: { env: 'TEST_MODULE', aliases: ['TEST_CLASS'] },
    windowEvents: {},
    tags: { read: EnvRead.list },
    httpPort: { env: 'TEST_PORT' },
    verbose: {},
  },
} as const satisfies RoleEnvSpec<typeof Settings>

const FLAGS = {
  worker: 'module',
  window: 'windowEvents',
  tags: 'tags',
  port: 'httpPort',
  verbose: 'verbose',
  redis: 'REDIS_URL',
} as const satisfies FlagTargets<typeof Spec>

describe('flagEnvNames', () => {
  it("names the variable the spec reads each flag's option from, or the control-plane one", () => {
    expect(Object.fromEntries(flagEnvNames(Spec, FLAGS))).toEqual({
      worker: 'TEST_MODULE',
      window: 'TEST_WINDOW_EVENTS',
      tags: 'TEST_TAGS',
      port: 'TEST_PORT',
      verbose: 'TEST_VERBOSE',
      redis: 'REDIS_URL',
    })
  })

  it('refuses a target the spec does not read (a declaration error)', () => {
    const refused = expect.objectContaining({ code: 'STATE_INVALID' })
    expect(() => flagEnvNames(Spec, { window: 'window' })).toThrow(refused)
    expect(() => flagEnvNames({ ...Spec, controlPlane: false }, { redis: 'REDIS_URL' })).toThrow(
      refused,
    )
    expect(() =>
      flagEnvNames({ ...Spec, controlPlane: ['REDIS_CONNECT_TIMEOUT_MS'] }, { redis: 'REDIS_URL' }),
    ).toThrow(refused)
  })
})

describe('layFlags', () => {
  it('lays the flags given over the env, as text; other flags are left out', () => {
    const env = layFlags({ A: 'a', TEST_WINDOW_EVENTS: '4' }, Spec, FLAGS, {
      window: 8,
      verbose: true,
      tags: undefined,
      logLevel: 'debug',
    } as { window: number; verbose: boolean; tags: undefined })
    expect(env).toEqual({ A: 'a', TEST_WINDOW_EVENTS: '8', TEST_VERBOSE: 'true' })
  })

  it('a flag wins over its variable and its aliases, and the role reads it', () => {
    const env = layFlags({ TEST_CLASS: 'alias.ts:A', TEST_PORT: '81' }, Spec, FLAGS, {
      worker: 'flag.ts:F',
      port: 82,
      redis: 'redis://r:6379',
    })
    const { config, controlPlane } = parseRoleEnv(env, Spec)
    expect(config).toMatchObject({ module: 'flag.ts:F', httpPort: 82 })
    expect(controlPlane.redisUrl).toBe('redis://r:6379')
  })

  it('refuses a value that is not text, a number or a boolean', () => {
    expect(() => layFlags({}, Spec, FLAGS, { tags: ['a'] })).toThrow(
      expect.objectContaining({ code: 'STATE_INVALID' }),
    )
  })
})
