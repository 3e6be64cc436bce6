import { BeamloomError } from '../errors.js'

/** One problem in a trigger map or sequence, at a JSON path (`['parts', 'main', 'eiger', 3]`). */
export interface MappingIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/**
 * A trigger map or sequence that does not validate. Code `MAPPING_INVALID`; `issues` lists every
 * problem found with its JSON path, ready to be returned as an HTTP 400 body.
 */
export class MappingInvalidError extends BeamloomError {
  readonly issues: readonly MappingIssue[]

  constructor(what: string, issues: readonly MappingIssue[], options?: { cause?: unknown }) {
    const first = issues[0]
    const where = first === undefined ? '' : `: ${formatPath(first.path)}: ${first.message}`
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''
    super('MAPPING_INVALID', `invalid ${what}${where}${more}`, options)
    this.issues = issues
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.join('.')
}
