import type { RunnerLimits } from '../analysis-runner.js'
import { type ModuleSpec, parseModuleSpec } from '../load-analysis-module.js'
import type { HostLog } from './python-host.js'
import { DEFAULT_PYTHON } from './python-paths.js'

/** Options of the Python runners. */
export interface PythonRunnerOptions {
  readonly limits: RunnerLimits
  /** The interpreter (default /usr/bin/python3; `pythonFromEnv` reads `BEAMLOOM_PYTHON`). */
  readonly python?: string
  /** Receives the user's stdout (info) and stderr (warn), line by line. */
  readonly log?: HostLog
  /** Extra environment for the interpreter. */
  readonly env?: Readonly<Record<string, string>>
  /** Frames at least this large travel through shared memory (default 32 KiB). */
  readonly inlineMaxBytes?: number
  /** Reducer: the longest `publish()` may lag behind the reduced results, ms (default 500). */
  readonly publishMaxAgeMs?: number
  /**
   * Reducer: called when the copy of `publish` changed, including by a refresh that came
   * after the call that reduced the results (the reducer marks its updates stream dirty).
   */
  readonly onPublish?: () => void
  /** Resolves relative module paths (default the process's working directory). */
  readonly cwd?: string
}

/** The spec parsed (a `.py` file), whichever form it came in. */
export function pythonSpec(spec: string | ModuleSpec, cwd?: string): ModuleSpec {
  return typeof spec === 'string' ? parseModuleSpec(spec, cwd) : spec
}

export function hostOptions(options: PythonRunnerOptions) {
  return {
    python: options.python ?? DEFAULT_PYTHON,
    limits: options.limits,
    ...(options.log !== undefined ? { log: options.log } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  }
}
