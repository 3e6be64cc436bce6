import { formatIssues } from '../config/format-issues.js'
import { BeamloomError } from '../errors.js'

/** One problem in a trigger map or sequence, at a JSON path (`['parts', 'main', 'eiger', 3]`). */
export interface MappingIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/**
 * A trigger map or sequence that does not validate. Code `MAPPING_INVALID`; `issues` lists every
 * problem found with its JSON path, ready to be returned as an HTTP 400 body; the message names
 * the first (`invalid trigger map: eiger.0.0.constraint: …; (2 more)`, see `formatIssues`).
 */
export class MappingInvalidError extends BeamloomError {
  readonly issues: readonly MappingIssue[]

  constructor(what: string, issues: readonly MappingIssue[], options?: { cause?: unknown }) {
    const listed = issues.length === 0 ? '' : `: ${formatIssues(issues, { max: 1 })}`
    super('MAPPING_INVALID', `invalid ${what}${listed}`, options)
    this.issues = issues
  }
}
