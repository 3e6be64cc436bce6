import { describe, expect, it } from 'vitest'
import { parseUpEnv } from '../../../cli/up/up-env.js'
import { isBeamloomError } from '../../../src/internal.js'

describe("beamloom up's env", () => {
  it('reads REDIS_CONNECT_TIMEOUT_MS, default 10 s', () => {
    expect(parseUpEnv({})).toEqual({ connectTimeoutMs: 10_000 })
    expect(parseUpEnv({ REDIS_CONNECT_TIMEOUT_MS: '2500' })).toEqual({ connectTimeoutMs: 2500 })
  })

  it("reads no other control-plane variable: up's control plane is --redis and --prefix", () => {
    expect(
      parseUpEnv({
        REDIS_URL: 'http://not-redis',
        REDIS_KEY_PREFIX: 'bad prefix!',
        HEARTBEAT_MS: 'x',
      }),
    ).toEqual({ connectTimeoutMs: 10_000 })
  })

  it('refuses a bad REDIS_CONNECT_TIMEOUT_MS as the roles do, naming the variable', () => {
    let error: unknown
    try {
      parseUpEnv({ REDIS_CONNECT_TIMEOUT_MS: 'soon' })
    } catch (err) {
      error = err
    }
    expect(isBeamloomError(error, 'CONFIG_INVALID')).toBe(true)
    expect((error as Error).message).toBe(
      'invalid up config: REDIS_CONNECT_TIMEOUT_MS: Invalid input: expected number, received NaN',
    )
  })
})
