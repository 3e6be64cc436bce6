import { InvalidArgumentError } from 'commander'
import { isBeamloomError } from '../src/analysis-runtime.js'

/**
 * The checks of command-line values, one per kind, each returning the parsed value (a number
 * for a number) or throwing commander's `InvalidArgumentError`, which the CLI reports as a
 * usage error (exit code 2) naming the option.
 */

/** A whole number ≥ 0, digits only. */
export function nonNegativeInt(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0')
  return Number(text)
}

/** A whole number ≥ 1, digits only. */
export function positiveInt(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError('expected a positive integer (a whole number ≥ 1)')
  }
  return Number(text)
}

/** A TCP port, 0–65535 (0: any free port). */
export function port(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65_535) {
    throw new InvalidArgumentError('expected a port number (0–65535; 0 = any free port)')
  }
  return Number(text)
}

/** A rate in Hz ≥ 0 (0: as fast as possible). */
export function rate(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a rate ≥ 0 (0: as fast as possible)')
  }
  return n
}

/** `rows,cols` of an image, each ≥ 1. */
export function shape(text: string): [number, number] {
  const dims = text.split(',').map((d) => Number(d.trim()))
  if (dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError('expected rows,cols such as 64,64')
  }
  return [dims[0]!, dims[1]!]
}

/** Sample numbers, `3,7`. */
export function rows(text: string): number[] {
  const list = text.split(',').map((t) => Number(t.trim()))
  if (!list.every((r) => Number.isInteger(r) && r >= 0)) {
    throw new InvalidArgumentError('expected sample numbers such as 3,7')
  }
  return list
}

/**
 * A parser that throws beamloom's `ConfigError` (the devices' own, shared with scan files),
 * as a command-line check: its message becomes the usage error.
 */
export function fromConfigParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text)
    } catch (err) {
      if (isBeamloomError(err)) throw new InvalidArgumentError(err.message)
      throw err
    }
  }
}
