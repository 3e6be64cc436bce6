/**
 * The HDF5 test files of hdf5-stacks.py, and the values they hold computed here again, so
 * what beamloom reads is checked against numbers it did not produce.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { repoPath } from './fixtures.js'

const run = promisify(execFile)

/** Debian's Python with numpy, h5py, hdf5plugin and lz4. */
export const PYTHON = '/usr/bin/python3'

/** One dataset the script wrote. */
export interface StackEntry {
  readonly file: string
  /** As given to the reader (`''`: the file's default). */
  readonly dataset: string
  readonly seed: number
  /** numpy name (`uint16`, `int16`, `float32`, …). */
  readonly dtype: string
  readonly frames: number
  readonly shape: readonly number[]
  readonly filters?: readonly number[]
  /** The chunk index HDF5 chose (when the test wants a particular one). */
  readonly index?: string
  /** Frames never written, and the fill value they read as. */
  readonly fill?: Readonly<Record<string, number>>
  /** Data files an EIGER master links to. */
  readonly members?: number
  /** The frame of the formula this dataset starts at. */
  readonly first_frame?: number
}

/** Write every test file into `dir`; resolves the manifest of what they hold. */
export async function writeHdf5Stacks(dir: string): Promise<StackEntry[]> {
  await run(PYTHON, [repoPath('test/harness/hdf5-stacks.py'), dir], { timeout: 120_000 })
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as StackEntry[]
}

/** The value hdf5-stacks.py stores at `pixel` of `frame` (same formula, computed here). */
export function stackValue(seed: number, dtype: string, frame: number, pixel: number): number {
  if (dtype.startsWith('float')) return seed + frame * 0.5 + pixel * 0.25
  const oneByte = dtype.endsWith('int8')
  const v = oneByte
    ? (seed + frame * 13 + pixel * 7) % 251
    : (seed + frame * 1009 + pixel * 7) % 30011
  if (dtype.startsWith('int')) return v - (oneByte ? 125 : 15000)
  return v
}

/** Every value of one frame of an entry (fill value for frames never written). */
export function expectedFrame(entry: StackEntry, frame: number): number[] {
  const pixels = entry.shape.reduce((a, b) => a * b, 1)
  const fill = entry.fill?.[String(frame)]
  return Array.from(
    { length: pixels },
    (_, i) => fill ?? stackValue(entry.seed, entry.dtype, frame + (entry.first_frame ?? 0), i),
  )
}
