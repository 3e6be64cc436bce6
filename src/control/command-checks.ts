import { ConfigError } from '../errors.js'
import type { ControlValue } from './control-plane.js'

/**
 * Argument checks both control-plane implementations apply before a command, so a bad
 * argument fails the same way on both (`CONFIG_INVALID`) instead of as a Redis reply error.
 */
export function checkPositiveInt(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
    throw new ConfigError(`${name} must be a positive integer, not ${value}`)
  }
}

/** Refuse an empty field set (Redis cannot append an entry without fields). */
export function checkFields(fields: Readonly<Record<string, ControlValue>>): void {
  if (Object.keys(fields).length === 0) {
    throw new ConfigError('a stream entry needs at least one field')
  }
}

/** Refuse a negative or fractional `maxLen`. */
export function checkMaxLen(maxLen: number | undefined): void {
  if (maxLen !== undefined && !(Number.isSafeInteger(maxLen) && maxLen >= 0)) {
    throw new ConfigError(`maxLen must be a non-negative integer, not ${maxLen}`)
  }
}

/** Refuse an integer increment that is not a safe integer. */
export function checkDelta(delta: number): void {
  if (!Number.isSafeInteger(delta)) throw new ConfigError(`delta must be an integer, not ${delta}`)
}
