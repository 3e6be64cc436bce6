import { stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { BeamloomError } from '../errors.js'
import type { ReducerClass, WorkerClass } from './contract.js'
import { importAnalysisFile } from './import-analysis-file.js'
import { type ParameterDescription, parseParameterDescriptions } from './parameters.js'

/**
 * A module reference `path/to/file.ts:ExportName` (or `path/to/module.py:Class`, which runs in a
 * Python host: see {@link isPythonModule}), split and resolved.
 */
export interface ModuleSpec {
  /** The text the user gave. */
  readonly spec: string
  /** Absolute path of the file. */
  readonly path: string
  /** Name of the export (`default` when none was given). */
  readonly exportName: string
}

const LOADABLE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.tsx', '.jsx', '.py'])

/**
 * Split `path/to/file.ts:ExportName` (export optional) and resolve the path against `cwd`.
 * @throws BeamloomError `MODULE_NOT_FOUND` for an empty spec or an unsupported file kind.
 */
export function parseModuleSpec(spec: string, cwd = process.cwd()): ModuleSpec {
  const colon = spec.lastIndexOf(':')
  const hasExport = colon > 1 && !/[\\/]/.test(spec.slice(colon + 1))
  const file = hasExport ? spec.slice(0, colon) : spec
  const exportName = hasExport ? spec.slice(colon + 1) : 'default'
  if (file.length === 0 || exportName.length === 0) {
    throw new BeamloomError('MODULE_NOT_FOUND', `'${spec}': expected path/to/file.ts:ExportName`)
  }
  if (!LOADABLE.has(extname(file))) {
    throw new BeamloomError(
      'MODULE_NOT_FOUND',
      `'${spec}': the file must end in .ts, .mts, .js, .mjs or .py (got '${extname(file) || 'none'}')`,
    )
  }
  return { spec, path: resolve(cwd, file), exportName }
}

/** Whether the spec names a Python module (`.py`): loaders dispatch it to the Python runners. */
export function isPythonModule(spec: ModuleSpec): boolean {
  return extname(spec.path) === '.py'
}

async function loadExport(spec: ModuleSpec): Promise<unknown> {
  try {
    const info = await stat(spec.path)
    if (!info.isFile()) throw new Error('not a file')
  } catch (cause) {
    throw new BeamloomError('MODULE_NOT_FOUND', `'${spec.spec}': no such file ${spec.path}`, {
      cause,
    })
  }
  if (isPythonModule(spec)) {
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': a Python module runs in a Python host (createPythonWorkerRunner / createPythonReducerRunner), not in this process`,
    )
  }
  let mod: Record<string, unknown>
  try {
    mod = await importAnalysisFile(spec.path)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new BeamloomError('MODULE_INVALID', `'${spec.spec}': failed to load: ${reason}`, {
      cause,
    })
  }
  // A file that Node treats as CommonJS (no `"type": "module"` nearby) arrives with its
  // exports object under `default`, so look there too, first for the default export.
  const cjs = mod.default
  const inCjs = typeof cjs === 'object' && cjs !== null && spec.exportName in cjs
  const value =
    spec.exportName !== 'default' && spec.exportName in mod
      ? mod[spec.exportName]
      : inCjs
        ? (cjs as Record<string, unknown>)[spec.exportName]
        : mod[spec.exportName]
  if (value === undefined) {
    const names = Object.keys(mod).filter((k) => k !== '__esModule')
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': ${spec.path} has no export '${spec.exportName}' (it exports: ${names.join(', ') || 'nothing'})`,
    )
  }
  return value
}

function requireClass(
  spec: ModuleSpec,
  value: unknown,
  role: string,
  method: string,
): (new (...args: never[]) => unknown) & Record<string, unknown> {
  if (typeof value !== 'function' || typeof value.prototype !== 'object') {
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': export '${spec.exportName}' must be a ${role} class, got ${typeof value}`,
    )
  }
  if (typeof value.prototype[method] !== 'function') {
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': ${role} class '${spec.exportName}' has no ${method}() method`,
    )
  }
  return value as (new (...args: never[]) => unknown) & Record<string, unknown>
}

function describe(spec: ModuleSpec, cls: Record<string, unknown>): ParameterDescription[] {
  const fn = cls.describeParameters
  if (fn === undefined) return []
  if (typeof fn !== 'function') {
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': describeParameters is not a function`,
    )
  }
  let raw: unknown
  try {
    raw = fn.call(cls)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new BeamloomError(
      'MODULE_INVALID',
      `'${spec.spec}': describeParameters() threw: ${reason}`,
      {
        cause,
      },
    )
  }
  return parseParameterDescriptions(raw, spec.spec)
}

/** A loaded analysis class with its validated parameter descriptions. */
export interface LoadedModule<C> {
  readonly spec: ModuleSpec
  readonly cls: C
  readonly parameters: readonly ParameterDescription[]
}

/**
 * Load a worker class from `path/to/file.ts:ExportName` (TypeScript needs no build step).
 * @throws BeamloomError `MODULE_NOT_FOUND` (no such file) or `MODULE_INVALID` (load failed,
 * export missing, not a class, no `processEvent`, bad `describeParameters`).
 */
export async function loadWorkerClass(
  spec: string,
  cwd?: string,
): Promise<LoadedModule<WorkerClass>> {
  const parsed = parseModuleSpec(spec, cwd)
  const cls = requireClass(parsed, await loadExport(parsed), 'worker', 'processEvent')
  return { spec: parsed, cls: cls as unknown as WorkerClass, parameters: describe(parsed, cls) }
}

/**
 * Load a reducer class from `path/to/file.ts:ExportName`.
 * @throws BeamloomError `MODULE_NOT_FOUND` or `MODULE_INVALID` (as for workers; needs
 * `processResult`).
 */
export async function loadReducerClass(
  spec: string,
  cwd?: string,
): Promise<LoadedModule<ReducerClass>> {
  const parsed = parseModuleSpec(spec, cwd)
  const cls = requireClass(parsed, await loadExport(parsed), 'reducer', 'processResult')
  return { spec: parsed, cls: cls as unknown as ReducerClass, parameters: describe(parsed, cls) }
}

/**
 * A replay source class (Dranspose's `replay -s module:Class`): constructed with no
 * arguments; `getSourceGenerators()` returns a list of generators (sync or async), each
 * yielding worker messages `{ eventNumber, streams: { [name]: { typ, frames } } }`; the
 * generators are merged by event number like recordings.
 */
export interface SourceClass {
  new (): { getSourceGenerators(): unknown }
}

/**
 * Load a replay source class from `path/to/file.ts:ExportName`.
 * @throws BeamloomError `MODULE_NOT_FOUND` or `MODULE_INVALID` (as for workers; needs
 * `getSourceGenerators`).
 */
export async function loadSourceClass(
  spec: string,
  cwd?: string,
): Promise<{ readonly spec: ModuleSpec; readonly cls: SourceClass }> {
  const parsed = parseModuleSpec(spec, cwd)
  const cls = requireClass(parsed, await loadExport(parsed), 'source', 'getSourceGenerators')
  return { spec: parsed, cls: cls as unknown as SourceClass }
}
