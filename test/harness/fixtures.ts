import { resolve } from 'node:path'

/** Absolute path of a recording in the shared fixtures (`../shared/fixtures` of the checkout). */
export function fixturePath(name: string): string {
  return resolve(import.meta.dirname, '../../../shared/fixtures', name)
}

/** Absolute path inside this checkout. */
export function repoPath(...parts: string[]): string {
  return resolve(import.meta.dirname, '../..', ...parts)
}
