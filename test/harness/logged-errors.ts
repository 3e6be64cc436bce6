// What services given no logger of their own logged at error or above, per test; the setup
// (`logged-errors-setup.ts`, in the unit and integration projects) records the lines and fails
// a test that ends with one. A test that provokes errors on purpose says so with
// `allowLoggedErrors()`. Importing this module registers nothing: only the projects' setup does.

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

/** For the setup: one line logged at error or above. */
export function recordLoggedError(line: string): void {
  logged.push(line)
}

/** For the setup: a test starts, with nothing logged and nothing allowed. */
export function resetLoggedErrors(): void {
  logged.length = 0
  allowed = false
}

/** For the setup: the lines this test logged without allowing them, taken (empty if allowed). */
export function takeUnexpectedLoggedErrors(): string[] {
  return allowed ? [] : logged.splice(0)
}
