import { mkdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { ConfigError } from '../../src/internal.js'

/** Where one scan is recorded, and whether the file is appended to (a fixed dump path). */
export interface DumpTarget {
  readonly path: string
  readonly append: boolean
}

/** Inputs of {@link planDumpTarget}. */
export interface DumpRequest {
  /** The confining directory (`INGESTER_DUMP_DIR`); without it nothing is recorded. */
  readonly dumpDir: string | undefined
  /** A fixed file (`INGESTER_DUMP_PATH`), relative to the dump dir; wins over the prefix. */
  readonly dumpPath: string | undefined
  /** The `dump_prefix` parameter (empty = no recording). */
  readonly prefix: string | undefined
  readonly ingesterName: string
  readonly scanId: string
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/**
 * Decide where a scan is recorded (pure): `<dumpDir>/<dumpPath>` (appended), or
 * `<dumpDir>/<prefix><ingester name>-<scanId>.cbors`; `undefined` when nothing asks for a
 * recording. A path that leaves the dump dir (through `..` or an absolute path elsewhere) is
 * refused; an absolute path inside it is accepted (Dranspose prefixes are often absolute).
 * @throws ConfigError `CONFIG_INVALID` when a recording is asked for but no dump dir is
 * configured, or the path escapes it.
 */
export function planDumpTarget(request: DumpRequest): DumpTarget | undefined {
  const prefix = request.prefix ?? ''
  const wanted =
    request.dumpPath ??
    (prefix === '' ? undefined : `${prefix}${request.ingesterName}-${request.scanId}.cbors`)
  if (wanted === undefined) return undefined
  if (request.dumpDir === undefined) {
    throw new ConfigError(`recording to '${wanted}' refused: no dump directory is configured`)
  }
  const root = resolve(request.dumpDir)
  const path = resolve(root, wanted)
  if (!inside(root, path) || path === root) {
    throw new ConfigError(`recording to '${wanted}' refused: it is outside the dump directory`)
  }
  return { path, append: request.dumpPath !== undefined }
}

/**
 * Create the recording's directory and check, after following symbolic links, that it is
 * still inside the dump dir.
 * @throws ConfigError `CONFIG_INVALID` when a link leads outside; the fs error otherwise.
 */
export async function prepareDumpTarget(dumpDir: string, target: DumpTarget): Promise<void> {
  const root = await realpath(resolve(dumpDir))
  const parent = dirname(target.path)
  const check = async (dir: string): Promise<void> => {
    if (!inside(root, await realpath(dir))) {
      throw new ConfigError(
        `recording to '${target.path}' refused: it leads outside the dump directory`,
      )
    }
  }
  // Before creating anything: the deepest directory that exists must not lead outside.
  let existing = parent
  for (;;) {
    try {
      await check(existing)
      break
    } catch (err) {
      if (!isMissing(err) || dirname(existing) === existing) throw err
      existing = dirname(existing)
    }
  }
  await mkdir(parent, { recursive: true })
  await check(parent)
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT'
}
