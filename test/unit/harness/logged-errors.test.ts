import { describe, expect, it, onTestFailed } from 'vitest'
import { defaultLogger, silentPino } from '../../../src/internal.js'
import { allowLoggedErrors, loggedErrors } from '../../harness/logged-errors.js'

// The unit project's setup (test/harness/logged-errors-setup.ts, in vitest.config.ts) fails a test
// whose services, given no logger of their own, logged an error. The tests of this file run in
// order: the second reads why the first failed.
describe('errors logged by services without a logger fail the unit test', () => {
  let failedWith: readonly string[] = []

  it('records what the default logger writes at error, and only that', () => {
    allowLoggedErrors()
    const log = defaultLogger('a service', silentPino)
    log.warn({}, 'only a warning')
    log.error({ code: 'X' }, 'boom')
    expect(loggedErrors()).toEqual(['a service: boom'])
  })

  // `fails`: this test passes only if it fails, which it does only through the setup's check.
  it.fails('fails a test that logs an error and does not call allowLoggedErrors()', () => {
    onTestFailed(({ task }) => {
      failedWith = (task.result?.errors ?? []).map((error) => error.message)
    })
    defaultLogger('a quiet service', silentPino).error({}, 'an unexpected failure')
  })

  it('failed the test above for that error, naming the service and the line', () => {
    expect(failedWith).toEqual([
      expect.stringMatching(
        /a service without a logger of its own logged 1 error\(s\); pass a logger or call allowLoggedErrors\(\):\na quiet service: an unexpected failure$/,
      ),
    ])
  })

  it('lets a test that allows them log errors', () => {
    allowLoggedErrors()
    defaultLogger('a service', silentPino).error({}, 'an expected failure')
    expect(loggedErrors()).toEqual(['a service: an expected failure'])
  })
})
