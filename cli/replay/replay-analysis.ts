import {
  createInlineReducerRunner,
  createInlineWorkerRunner,
  isPythonModule,
  mergeDescriptions,
  type ParameterDescription,
  parseModuleSpec,
  type ReducerRunner,
  type RunnerLimits,
  TickClock,
  type WorkerRunner,
} from '../../src/analysis-runtime.js'

/** No limit: replay is where a developer debugs the analysis, stepping and pausing freely. */
const UNLIMITED: RunnerLimits = {
  callTimeoutMs: Number.POSITIVE_INFINITY,
  lifecycleTimeoutMs: Number.POSITIVE_INFINITY,
  memoryMiB: Number.POSITIVE_INFINITY,
}

/** Stand-ins for the Python runners when neither module is Python: never called. */
const NO_PYTHON = {
  createPythonWorkerRunner: (): never => {
    throw new Error('no Python runner loaded')
  },
  createPythonReducerRunner: (): never => {
    throw new Error('no Python runner loaded')
  },
}

/** The analyses of a replay: `n` worker runners and one reducer runner, not begun yet. */
export interface ReplayAnalysis {
  readonly workers: readonly WorkerRunner[]
  readonly reducer: ReducerRunner
  /** Every parameter the worker and the reducer describe, by name. */
  readonly parameters: ReadonlyMap<string, ParameterDescription>
}

/**
 * The runners of a replay: TypeScript/JavaScript classes in this thread (no copy, a plain stack
 * for a debugger; the workers share one `context` and one scan-wide tick, as before), Python
 * classes (`.py`) in Python processes. Nothing limits the calls.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` (as the loaders); a runner made
 *   before the error is closed.
 */
export async function openReplayAnalysis(
  worker: string,
  reducer: string,
  workers: number,
  cwd: string | undefined,
): Promise<ReplayAnalysis> {
  const made: (WorkerRunner | ReducerRunner)[] = []
  try {
    const shared = { context: {}, clock: new TickClock() }
    const wspec = parseModuleSpec(worker, cwd)
    const rspec = parseModuleSpec(reducer, cwd)
    // The Python runners are loaded only for a Python module: a TypeScript replay starts
    // without them.
    const { createPythonReducerRunner, createPythonWorkerRunner } =
      isPythonModule(wspec) || isPythonModule(rspec)
        ? await import('../../src/analysis-runtime-lazy.js')
        : NO_PYTHON
    const w: WorkerRunner[] = []
    for (let i = 0; i < workers; i++) {
      const runner = isPythonModule(wspec)
        ? await createPythonWorkerRunner(wspec, { limits: UNLIMITED, ...(cwd ? { cwd } : {}) })
        : await createInlineWorkerRunner(worker, cwd, undefined, shared)
      made.push(runner)
      w.push(runner)
    }
    const r = isPythonModule(rspec)
      ? await createPythonReducerRunner(rspec, { limits: UNLIMITED, ...(cwd ? { cwd } : {}) })
      : await createInlineReducerRunner(reducer, UNLIMITED, cwd)
    made.push(r)
    return {
      workers: w,
      reducer: r,
      parameters: mergeDescriptions([w[0]?.parameters ?? [], r.parameters]),
    }
  } catch (err) {
    for (const runner of made) await runner.close().catch(() => {})
    throw err
  }
}
