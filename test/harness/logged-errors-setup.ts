// Setup for the unit and integration projects: a service given no logger writes to one that
// records what it logs at error or above, and a test that ends with such a line fails, naming
// it, unless it called `allowLoggedErrors()` (`logged-errors.ts`).
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, beforeEach } from 'vitest'
import { setDefaultLoggerFactory } from '../../src/internal.js'
import {
  recordLoggedError,
  resetLoggedErrors,
  takeUnexpectedLoggedErrors,
} from './logged-errors.js'

const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue
      const entry = JSON.parse(line) as { level: number; name?: string; msg?: string }
      if (entry.level >= 50) recordLoggedError(`${entry.name ?? 'service'}: ${entry.msg ?? line}`)
    }
    done()
  },
})

setDefaultLoggerFactory((name) => pino({ name, level: 'warn' }, sink))

beforeEach(() => {
  resetLoggedErrors()
})

afterEach(() => {
  const lines = takeUnexpectedLoggedErrors()
  if (lines.length === 0) return
  throw new Error(
    `a service without a logger of its own logged ${lines.length} error(s); pass a logger or call allowLoggedErrors():\n${lines.join('\n')}`,
  )
})
