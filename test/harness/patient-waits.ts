// Setup for the integration and e2e projects: waits for a condition get 30 s by default instead
// of vitest's 1 s. They wait for sockets, processes and Redis on a 2-core machine that runs
// other test files at the same time; the wait only lasts that long when something is wrong.
import { vi } from 'vitest'

type WaitFor = typeof vi.waitFor
const original: WaitFor = vi.waitFor.bind(vi)
const patient: WaitFor = (callback, options) =>
  original(
    callback,
    typeof options === 'number' ? options : { timeout: 30_000, interval: 20, ...options },
  )
vi.waitFor = patient
