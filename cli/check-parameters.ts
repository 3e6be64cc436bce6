import {
  BeamloomError,
  ConfigError,
  isBeamloomError,
  isPythonModule,
  loadReducerClass,
  loadWorkerClass,
  mergeDescriptions,
  type ParameterDescription,
  parseModuleSpec,
  parseParameterValue,
  readParameterFile,
} from '../src/analysis-runtime.js'

/**
 * Check parameter values against the modules' descriptions, once, before anything runs (pure):
 * every name must be described, every value must parse as its dtype (and range).
 * `namesKnown: false` (a module whose descriptions cannot be read here, such as a Python class)
 * skips the name check.
 * @throws ConfigError `CONFIG_INVALID` naming every unknown parameter and the known ones;
 * BeamloomError `PARAMETER_INVALID` naming every value that does not parse.
 */
export function checkParameterValues(
  values: ReadonlyMap<string, Uint8Array>,
  descriptions: ReadonlyMap<string, ParameterDescription>,
  where: string,
  namesKnown = true,
): void {
  const unknown = [...values.keys()].filter((name) => !descriptions.has(name))
  if (namesKnown && unknown.length > 0) {
    const known = [...descriptions.keys()]
    throw new ConfigError(
      `${where}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}: ${
        known.length === 0
          ? 'the modules describe no parameters'
          : `the modules describe ${known.join(', ')}`
      }`,
    )
  }
  const problems: string[] = []
  for (const [name, data] of values) {
    const desc = descriptions.get(name)
    if (desc === undefined) continue
    try {
      parseParameterValue(desc, data)
    } catch (err) {
      if (!isBeamloomError(err, 'PARAMETER_INVALID')) throw err
      problems.push(err.message)
    }
  }
  if (problems.length > 0) {
    throw new BeamloomError('PARAMETER_INVALID', `${where}: ${problems.join('; ')}`)
  }
}

/**
 * Read a parameters file and check it against the worker's and the reducer's descriptions
 * (loading the TypeScript/JavaScript classes; a Python class's names are not checked here).
 * Resolves with the values by name.
 * @throws ConfigError, BeamloomError `PARAMETER_INVALID`, `MODULE_NOT_FOUND`, `MODULE_INVALID`.
 */
export async function readCheckedParameters(
  file: string,
  modules: { readonly worker: string; readonly reducer: string },
  cwd?: string,
): Promise<Map<string, Uint8Array>> {
  const values = await readParameterFile(file)
  const lists: (readonly ParameterDescription[])[] = []
  let namesKnown = true
  const [worker, reducer] = [
    parseModuleSpec(modules.worker, cwd),
    parseModuleSpec(modules.reducer, cwd),
  ]
  if (isPythonModule(worker)) namesKnown = false
  else lists.push((await loadWorkerClass(modules.worker, cwd)).parameters)
  if (isPythonModule(reducer)) namesKnown = false
  else lists.push((await loadReducerClass(modules.reducer, cwd)).parameters)
  checkParameterValues(values, mergeDescriptions(lists), file, namesKnown)
  return values
}
