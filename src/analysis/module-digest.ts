import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { ModuleSpec } from './load-analysis-module.js'

/** An analysis module as results record it: what the user named, and a hash of its code. */
export interface ModuleDigest {
  /** The module as given (`path/to/file.ts:ExportName`). */
  readonly spec: string
  /** Hex SHA-256 of the module file's bytes (files it imports are not included). */
  readonly sha256: string
}

/**
 * The {@link ModuleDigest} of a module file: its spec and the SHA-256 of its bytes, so a result
 * file says which code made it. Reads the file once.
 * Rejects with the file system's error when the file cannot be read.
 */
export async function moduleDigest(spec: ModuleSpec): Promise<ModuleDigest> {
  const bytes = await readFile(spec.path)
  return { spec: spec.spec, sha256: createHash('sha256').update(bytes).digest('hex') }
}
