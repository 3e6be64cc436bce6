import { describe, expect, it, vi } from 'vitest'
import { createReducer } from '../../../reducer/index.js'
import { defaultLogger, silentPino } from '../../../src/internal.js'
import { allowLoggedErrors, loggedErrors } from '../../harness/logged-errors.js'
import { FakeController, fixture, memoryPlane, Scope } from '../reducer/harness.js'

describe('errors logged by services without a logger fail the test', () => {
  it('records what the default logger writes at error, and only that', () => {
    allowLoggedErrors()
    const log = defaultLogger('a service', silentPino)
    log.warn({}, 'only a warning')
    log.error({ code: 'X' }, 'boom')
    expect(loggedErrors()).toEqual(['a service: boom'])
  })

  it('reaches services created without a logger (a reducer whose constructor throws)', async () => {
    allowLoggedErrors()
    const scope = new Scope()
    try {
      const plane = await memoryPlane(scope)
      const reducer = scope.add(
        createReducer(
          { reducerModule: fixture('BrokenReducer'), httpPort: 0, heartbeatMs: 200 },
          { plane },
        ),
      )
      await reducer.start()
      await new FakeController(plane).start()
      await vi.waitFor(() =>
        expect(loggedErrors()).toContainEqual(
          expect.stringMatching(/constructor failed: cannot construct/),
        ),
      )
    } finally {
      await scope.cleanup()
    }
  })
})
