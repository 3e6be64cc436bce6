import type { ParameterDescription } from '../src/index.js'

/**
 * Parameter descriptions in their JSON form for `ProcessInfo.parameters` (docs/architecture.md
 * "Parameters"): as described, with `binary` defaults as base64 strings.
 */
export function descriptionsToJson(descriptions: readonly ParameterDescription[]): unknown[] {
  return descriptions.map((d) =>
    d.dtype === 'binary' ? { ...d, default: Buffer.from(d.default).toString('base64') } : { ...d },
  )
}
