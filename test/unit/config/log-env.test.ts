import { describe, expect, it } from 'vitest'
import { DEPRECATED_LOG_LEVEL_VARIABLES, parseLogEnv } from '../../../src/internal.js'

describe('LOG_LEVEL and LOG_FORMAT', () => {
  it('defaults to info, warn for up, and the auto format', () => {
    expect(parseLogEnv({}, 'worker')).toEqual({ level: 'info', format: 'auto', notes: [] })
    expect(parseLogEnv({}, 'up').level).toBe('warn')
  })

  it("reads pino's level names and Python's, in any case", () => {
    const level = (v: string) => parseLogEnv({ LOG_LEVEL: v }, 'reducer').level
    expect(['debug', 'INFO', 'Warn', 'WARNING', 'error', 'CRITICAL', 'silent'].map(level)).toEqual([
      'debug',
      'info',
      'warn',
      'warn',
      'error',
      'fatal',
      'silent',
    ])
    expect(parseLogEnv({ LOG_FORMAT: 'JSON' }, 'ingester').format).toBe('json')
  })

  it('refuses a level or format it cannot read, naming the variable', () => {
    expect(() => parseLogEnv({ LOG_LEVEL: 'loud' }, 'worker')).toThrow(
      /LOG_LEVEL: unknown level 'loud'/,
    )
    expect(() => parseLogEnv({ CONTROLLER_LOG_LEVEL: 'loud' }, 'controller')).toThrow(
      /CONTROLLER_LOG_LEVEL: unknown level/,
    )
    expect(() => parseLogEnv({ LOG_FORMAT: 'xml' }, 'worker')).toThrow(/LOG_FORMAT/)
  })

  it('reads each deprecated variable for its own command only, with a note', () => {
    for (const old of DEPRECATED_LOG_LEVEL_VARIABLES) {
      for (const role of old.roles) {
        const config = parseLogEnv({ [old.name]: 'error' }, role)
        expect(config.level).toBe('error')
        expect(config.notes).toEqual([
          `${old.name} is deprecated: set LOG_LEVEL (or pass --log-level) instead`,
        ])
      }
    }
    expect(parseLogEnv({ CONTROLLER_LOG_LEVEL: 'error' }, 'worker')).toEqual({
      level: 'info',
      format: 'auto',
      notes: [],
    })
  })

  it('lets LOG_LEVEL win over a deprecated variable and says so', () => {
    const config = parseLogEnv({ LOG_LEVEL: 'debug', BEAMLOOM_LOG_LEVEL: 'error' }, 'up')
    expect(config.level).toBe('debug')
    expect(config.notes).toEqual(['BEAMLOOM_LOG_LEVEL is deprecated and ignored: LOG_LEVEL is set'])
  })

  it('documents every deprecated variable in docs/configuration.md', async () => {
    const { readFile } = await import('node:fs/promises')
    const doc = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
    for (const old of DEPRECATED_LOG_LEVEL_VARIABLES) expect(doc).toContain(`\`${old.name}\``)
  })
})
