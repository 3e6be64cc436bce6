import vm from 'node:vm'

/** Thrown out of {@link runWithDeadline} when the call overran its time. */
export class DeadlineExceeded extends Error {
  readonly ms: number

  constructor(ms: number) {
    super(`overran its time limit of ${ms} ms`)
    this.ms = ms
  }
}

// One context and one script for every call: the script only calls the function it is given.
const context = vm.createContext({ run: undefined as (() => unknown) | undefined })
const script = new vm.Script('run()', { filename: 'beamloom-deadline' })

/**
 * Run `fn` in this thread and stop it if its synchronous part runs longer than `ms` (V8 stops
 * the code, wherever it is: a loop with no way out included). `ms` must be a positive safe
 * integer; `Infinity` runs `fn` without a limit. Code that the stop interrupts may have left
 * its objects half-changed: the caller treats them as lost. What `fn` returns is returned (a
 * promise is not waited for: only synchronous code can be stopped this way). Starting the
 * watch costs some tens of microseconds: call it per batch of work, not per tiny item.
 * @throws DeadlineExceeded when stopped; whatever `fn` throws otherwise.
 */
export function runWithDeadline<T>(fn: () => T, ms: number): T {
  if (!Number.isFinite(ms)) return fn()
  context.run = fn
  try {
    return script.runInContext(context, { timeout: Math.max(1, Math.ceil(ms)) }) as T
  } catch (err) {
    if (isTimeout(err)) throw new DeadlineExceeded(ms)
    throw err
  } finally {
    context.run = undefined
  }
}

function isTimeout(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'
  )
}
