import { listIssues } from '../config/format-issues.js'
import { MappingInvalidError } from './mapping-error.js'
import { Sequence } from './sequence.js'
import { TriggerMap } from './trigger-map.js'

/**
 * Validate a trigger map received as JSON (the body of `POST /api/v1/mapping`).
 *
 * @throws MappingInvalidError (code `MAPPING_INVALID`) listing every issue with its path.
 */
export function parseTriggerMap(json: unknown): TriggerMap {
  const result = TriggerMap.safeParse(json)
  if (!result.success) {
    throw new MappingInvalidError('trigger map', listIssues(result.error), { cause: result.error })
  }
  return result.data
}

/**
 * Validate a sequence received as JSON (the body of `POST /api/v1/sequence`).
 *
 * @throws MappingInvalidError (code `MAPPING_INVALID`) listing every issue with its path.
 */
export function parseSequence(json: unknown): Sequence {
  const result = Sequence.safeParse(json)
  if (!result.success) {
    throw new MappingInvalidError('sequence', listIssues(result.error), { cause: result.error })
  }
  return result.data
}

/**
 * Read the `all_wrap` option as an HTTP query parameter or JSON value would carry it:
 * `true`/`false`, `'true'`/`'false'`, `'1'`/`'0'`; absent means the default, `true`.
 *
 * @throws MappingInvalidError (code `MAPPING_INVALID`) at path `['all_wrap']` for anything else.
 */
export function parseAllWrap(value: unknown): boolean {
  if (value === undefined || value === true || value === 'true' || value === '1') return true
  if (value === false || value === 'false' || value === '0') return false
  throw new MappingInvalidError('option', [
    { path: ['all_wrap'], message: 'all_wrap must be true or false' },
  ])
}
