import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  type ControlPlaneVariable,
  EnvRead,
  envName,
  envNames,
  envReaderOf,
  formatIssues,
  listIssues,
  parseConfig,
  parseRoleEnv,
  type RoleEnvSpec,
  resolveSetting,
} from '../../../src/internal.js'
import { configError } from '../../harness/config-error.js'

describe('envName', () => {
  it('puts the option in UPPER_SNAKE case after the prefix', () => {
    expect(envName('WORKER', 'eventTimeoutMs')).toBe('WORKER_EVENT_TIMEOUT_MS')
    expect(envName('WORKER', 'name')).toBe('WORKER_NAME')
    expect(envName('REDUCER', 'h5Dir')).toBe('REDUCER_H5_DIR')
    expect(envName('CONTROLLER', 'maxLogStreams')).toBe('CONTROLLER_MAX_LOG_STREAMS')
    expect(envName('AUTOSCALER', 'rateWindowS')).toBe('AUTOSCALER_RATE_WINDOW_S')
  })

  it('keeps binary units whole and leaves the prefix out when empty', () => {
    expect(envName('WORKER', 'memoryMiB')).toBe('WORKER_MEMORY_MIB')
    expect(envName('X', 'sizeGiB')).toBe('X_SIZE_GIB')
    expect(envName('', 'heartbeatMs')).toBe('HEARTBEAT_MS')
  })
})

describe('resolveSetting', () => {
  const setting = { aliases: ['DRANSPOSE_A', 'DRANSPOSE_B'], deprecated: ['OLD_X'] }

  it('reads the own name first, even when aliases are set', () => {
    const found = resolveSetting({ X: 'own', DRANSPOSE_A: 'a', DRANSPOSE_B: 'b' }, 'X', setting)
    expect(found).toEqual({ name: 'X', value: 'own', notes: [] })
  })

  it('reads the first alias set when the own name is not', () => {
    expect(resolveSetting({ DRANSPOSE_A: 'a', DRANSPOSE_B: 'b' }, 'X', setting).value).toBe('a')
    expect(resolveSetting({ DRANSPOSE_A: '', DRANSPOSE_B: 'b' }, 'X', setting)).toEqual({
      name: 'DRANSPOSE_B',
      value: 'b',
      notes: [],
    })
  })

  it('reads a deprecated name last, with a warning', () => {
    expect(resolveSetting({ OLD_X: 'old' }, 'X', setting)).toEqual({
      name: 'OLD_X',
      value: 'old',
      notes: ['OLD_X is deprecated: set X instead'],
    })
    expect(resolveSetting({ OLD_X: 'old', DRANSPOSE_B: 'b' }, 'X', setting)).toEqual({
      name: 'DRANSPOSE_B',
      value: 'b',
      notes: ['OLD_X is deprecated and ignored: DRANSPOSE_B is set'],
    })
    expect(
      resolveSetting({ OLD_X: 'old' }, 'X', { ...setting, instead: 'X (or --x)' }).notes,
    ).toEqual(['OLD_X is deprecated: set X (or --x) instead'])
  })

  it('leaves an unset setting unset, named by its own name', () => {
    expect(resolveSetting({}, 'X', setting)).toEqual({ name: 'X', value: undefined, notes: [] })
  })
})

describe('formatIssues', () => {
  const Schema = z.strictObject({ a: z.int(), b: z.object({ c: z.string() }) })
  const error = Schema.safeParse({ a: 'x', b: { c: 1 } }).error as z.ZodError

  it('writes path: message, joined by semicolons', () => {
    expect(formatIssues(error)).toBe(
      'a: Invalid input: expected number, received string; b.c: Invalid input: expected string, received number',
    )
  })

  it('names paths as told, the whole input as root, and cuts long lists', () => {
    expect(formatIssues(error, { nameOf: (p) => (p[0] === 'a' ? 'ENV_A' : undefined) })).toMatch(
      /^ENV_A: .*; b\.c: /,
    )
    const whole = z.string().safeParse(1).error as z.ZodError
    expect(formatIssues(whole)).toBe('(root): Invalid input: expected string, received number')
    expect(formatIssues(whole, { root: 'body' })).toMatch(/^body: /)
    expect(formatIssues(error, { max: 1 })).toBe(
      'a: Invalid input: expected number, received string; (1 more)',
    )
  })

  it('lists the issues with JSON paths, which it formats as it formats the error', () => {
    const listed = listIssues(error)
    expect(listed).toEqual([
      { path: ['a'], message: 'Invalid input: expected number, received string' },
      { path: ['b', 'c'], message: 'Invalid input: expected string, received number' },
    ])
    expect(formatIssues(listed)).toBe(formatIssues(error))
    const keyed = z.record(z.string(), z.int()).safeParse({ n: 'x' }).error as z.ZodError
    expect(listIssues(keyed.issues).map((issue) => issue.path)).toEqual([['n']])
  })
})

const Settings = z.strictObject({
  name: z.string().min(1).default('n'),
  windowEvents: z.int().min(2).default(64),
  memoryMiB: z.int().nonnegative().default(0),
  module: z.string().min(1),
  tags: z.array(z.string()).default([]),
  verbose: z.boolean().default(false),
  heartbeatMs: z.int().positive().default(1000),
})

const Spec = {
  role: 'test',
  prefix: 'TEST',
  schema: Settings,
  settings: {
    name: { deprecated: ['TEST_OLD_NAME'] },
    windowEvents: { deprecated: ['TEST_WINDOW'] },
    memoryMiB: {},
    module: { env: 'TEST_MODULE', aliases: ['TEST_CLASS'], required: 'required: the module' },
    tags: { read: EnvRead.list },
    verbose: {},
  },
} as const satisfies RoleEnvSpec<typeof Settings>

describe('parseRoleEnv', () => {
  it('reads derived names, applies the defaults and the control plane', () => {
    const { config, controlPlane, notes } = parseRoleEnv(
      {
        TEST_MODULE: 'm.ts:M',
        TEST_WINDOW_EVENTS: '8',
        TEST_MEMORY_MIB: '512',
        TEST_TAGS: 'a, b,',
        TEST_VERBOSE: '1',
        HEARTBEAT_MS: '250',
        REDIS_KEY_PREFIX: 'k',
      },
      Spec,
      ({ heartbeatMs }) => ({ heartbeatMs }),
    )
    expect(config).toEqual({
      name: 'n',
      windowEvents: 8,
      memoryMiB: 512,
      module: 'm.ts:M',
      tags: ['a', 'b'],
      verbose: true,
      heartbeatMs: 250,
    })
    expect(controlPlane).toMatchObject({ keyPrefix: 'k', heartbeatMs: 250 })
    expect(notes).toEqual([])
  })

  it('reads aliases after the own name and deprecated names with a note', () => {
    const parsed = parseRoleEnv({ TEST_CLASS: 'c.ts:C', TEST_OLD_NAME: 'old' }, Spec)
    expect(parsed.config).toMatchObject({ module: 'c.ts:C', name: 'old' })
    expect(parsed.notes).toEqual(['TEST_OLD_NAME is deprecated: set TEST_NAME instead'])
    expect(parseRoleEnv({ TEST_MODULE: 'm', TEST_CLASS: 'c' }, Spec).config.module).toBe('m')
  })

  it('names every bad variable at once, as it was set', () => {
    const message = configError(() =>
      parseRoleEnv({ TEST_CLASS: '', TEST_MEMORY_MIB: 'lots', REDIS_URL: 'http://r' }, Spec),
    )
    expect(message).toMatch(/^invalid test config: /)
    expect(message).toMatch(/REDIS_URL: /)
    expect(message).toMatch(/TEST_MEMORY_MIB: Invalid input/)
    expect(message).toMatch(/TEST_MODULE: required: the module/)
  })

  it('names the variable a bad value came from, alias or deprecated name', () => {
    expect(
      configError(() => parseRoleEnv({ TEST_MODULE: 'm', TEST_MEMORY_MIB: 'lots' }, Spec)),
    ).toBe('invalid test config: TEST_MEMORY_MIB: Invalid input: expected number, received NaN')
    expect(configError(() => parseRoleEnv({ TEST_MODULE: 'm', TEST_WINDOW: '1' }, Spec))).toBe(
      'invalid test config: TEST_WINDOW: Too small: expected number to be >=2',
    )
    expect(configError(() => parseRoleEnv({ TEST_MODULE: 'm', TEST_NAME: '' }, Spec))).toMatch(
      /^invalid test config: TEST_NAME: Too small/,
    )
  })

  it('reads all, none or only the listed control-plane variables, as the spec says', () => {
    const env = { TEST_MODULE: 'm', HEARTBEAT_MS: '250', REDIS_CONNECT_TIMEOUT_MS: '500' }
    const read = (controlPlane: boolean | readonly ControlPlaneVariable[]) =>
      parseRoleEnv({ ...env, REDIS_URL: 'http://r' }, { ...Spec, controlPlane })
    expect(() => read(true)).toThrow(/REDIS_URL: /)
    expect(read(false).controlPlane).toEqual(parseRoleEnv({ TEST_MODULE: 'm' }, Spec).controlPlane)
    expect(read(['REDIS_CONNECT_TIMEOUT_MS']).controlPlane).toMatchObject({
      redisUrl: undefined,
      heartbeatMs: 1000,
      connectTimeoutMs: 500,
    })
    expect(
      configError(() =>
        parseRoleEnv(
          { TEST_MODULE: 'm', REDIS_CONNECT_TIMEOUT_MS: '0' },
          { ...Spec, controlPlane: ['REDIS_CONNECT_TIMEOUT_MS'] },
        ),
      ),
    ).toBe('invalid test config: REDIS_CONNECT_TIMEOUT_MS: Too small: expected number to be >0')
  })

  it('lists the own names of a spec', () => {
    expect(envNames(Spec)).toEqual([
      'TEST_NAME',
      'TEST_WINDOW_EVENTS',
      'TEST_MEMORY_MIB',
      'TEST_MODULE',
      'TEST_TAGS',
      'TEST_VERBOSE',
    ])
  })

  it('reads the shared control-plane variables with their defaults', () => {
    const planeOf = (env: Record<string, string>) =>
      parseRoleEnv({ TEST_MODULE: 'm', ...env }, Spec).controlPlane
    expect(planeOf({})).toEqual({
      redisUrl: undefined,
      keyPrefix: 'beamloom',
      heartbeatMs: 1000,
      connectTimeoutMs: 10_000,
    })
    expect(
      planeOf({
        REDIS_URL: 'rediss://:pw@h:1',
        REDIS_KEY_PREFIX: 'bl-7',
        HEARTBEAT_MS: '250',
        REDIS_CONNECT_TIMEOUT_MS: '1500',
      }),
    ).toEqual({
      redisUrl: 'rediss://:pw@h:1',
      keyPrefix: 'bl-7',
      heartbeatMs: 250,
      connectTimeoutMs: 1500,
    })
  })

  it('names each bad control-plane variable, without the password', () => {
    const message = configError(() =>
      parseRoleEnv(
        {
          TEST_MODULE: 'm',
          REDIS_URL: 'http://:s3cret@h',
          REDIS_KEY_PREFIX: 'a:b',
          HEARTBEAT_MS: '0',
        },
        Spec,
      ),
    )
    expect(message).toMatch(/^invalid test config: REDIS_URL: .*REDIS_KEY_PREFIX: .*HEARTBEAT_MS: /)
    expect(message).not.toContain('s3cret')
  })

  it('refuses a spec it cannot read: an option not in the schema, a list without a reader', () => {
    const declared = (settings: object) => () =>
      parseRoleEnv({}, { ...Spec, settings } as RoleEnvSpec<typeof Settings>)
    expect(declared({ nmae: {} })).toThrow(
      expect.objectContaining({
        code: 'STATE_INVALID',
        message: 'test config has no option nmae for TEST_NMAE to set',
      }),
    )
    expect(declared({ tags: {} })).toThrow(
      expect.objectContaining({
        code: 'STATE_INVALID',
        message: expect.stringMatching(/^test option tags \(TEST_TAGS\)/),
      }),
    )
  })
})

describe('envReaderOf', () => {
  it('reads numbers and booleans as the schema says, through defaults, optionals and pipes', () => {
    expect(envReaderOf(z.int().positive().default(3))).toBe(EnvRead.number)
    expect(envReaderOf(z.number().optional())).toBe(EnvRead.number)
    expect(envReaderOf(z.number().nullable().readonly())).toBe(EnvRead.number)
    expect(envReaderOf(z.number().pipe(z.transform(String)))).toBe(EnvRead.number)
    expect(envReaderOf(z.boolean().default(false))).toBe(EnvRead.flag)
  })

  it('leaves text as it is', () => {
    for (const schema of [
      z.string().min(1).default('x'),
      z.url().optional(),
      z.enum(['thread', 'inline']).default('thread'),
      z.literal('a'),
      z.string().transform(Number),
    ]) {
      expect(envReaderOf(schema)?.parse('text')).toBe('text')
    }
  })

  it('says nothing where a schema has no one reading from text', () => {
    expect(envReaderOf(z.array(z.string()).default([]))).toBeUndefined()
    expect(envReaderOf(z.object({ a: z.string() }))).toBeUndefined()
    expect(envReaderOf(z.union([z.string(), z.number()]))).toBeUndefined()
    expect(envReaderOf(z.literal(3))).toBeUndefined()
  })
})

describe('parseConfig', () => {
  it('parses once and throws CONFIG_INVALID with the formatted issues', () => {
    expect(parseConfig(Settings, { module: 'm' }, 'test config').windowEvents).toBe(64)
    expect(configError(() => parseConfig(Settings, { module: 'm', extra: 1 }, 'test config'))).toBe(
      'invalid test config: (root): Unrecognized key: "extra"',
    )
  })
})
