import { expect } from 'vitest'
import { isBeamloomError } from '../../src/internal.js'

/** The message of the `CONFIG_INVALID` error `fn` throws; fails the test when it throws none. */
export function configError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(isBeamloomError(err, 'CONFIG_INVALID')).toBe(true)
    return (err as Error).message
  }
  throw new Error('expected a ConfigError')
}
