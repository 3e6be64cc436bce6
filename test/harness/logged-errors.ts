// Setup for the unit and integration projects: a service given no logger writes to one that
// records what it logs at error or above, and a test that ends with such a line fails, naming
// it. A test that provokes errors on purpose says so with `allowLoggedErrors()`.
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, beforeEach } from 'vitest'
import { setDefaultLoggerFactory } from '../../src/internal.js'

const logged: string[] = []
let allowed = false

/** What services without a logger of their own logged at error or above in this test. */
export function loggedErrors(): readonly string[] {
  return logged
}

/** The current test provokes errors in services that have no logger of their own. */
export function allowLoggedErrors(): void {
  allowed = true
}

const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue
      const entry = JSON.parse(line) as { level: number; name?: string; msg?: string }
      if (entry.level >= 50) logged.push(`${entry.name ?? 'service'}: ${entry.msg ?? line}`)
    }
    done()
  },
})

setDefaultLoggerFactory((name) => pino({ name, level: 'warn' }, sink))

beforeEach(() => {
  logged.length = 0
  allowed = false
})

afterEach(() => {
  if (allowed || logged.length === 0) return
  const lines = logged.splice(0)
  throw new Error(
    `a service without a logger of its own logged ${lines.length} error(s); pass a logger or call allowLoggedErrors():\n${lines.join('\n')}`,
  )
})
