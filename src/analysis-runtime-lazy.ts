/**
 * The parts of the analysis runtime (`src/analysis-runtime.ts`) that `beamloom replay` imports
 * only when it uses them: Python runners and Python source classes, and HDF5 image stacks. A
 * replay of TypeScript modules over recordings starts without them (issue 14: together about
 * 40 ms of a start-up budget of 0.4 s). Internal, like `src/internal.ts` (which exports these
 * too).
 */

export { pythonFromEnv } from './analysis/python/python-paths.js'
export { createPythonReducerRunner } from './analysis/python/python-reducer-runner.js'
export {
  openPythonSource,
  type PythonSource,
  type PythonSourceOptions,
} from './analysis/python/python-source.js'
export { createPythonWorkerRunner } from './analysis/python/python-worker-runner.js'
export { openHdf5Stack } from './codec/hdf5/hdf5-stack.js'
