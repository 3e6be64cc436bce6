import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { formatIssues } from '../config/format-issues.js'
import { ConfigError } from '../errors.js'
import { encodeParameterValue } from './parameters.js'

/**
 * One entry of a parameters file: `{ "name", "data" }` with the raw value as text (Dranspose's
 * form), or `{ "name", "value" }` with a JSON number, boolean or string.
 */
export const ParameterFileEntry = z.union([
  z.strictObject({ name: z.string().min(1), data: z.string() }),
  z.strictObject({
    name: z.string().min(1),
    value: z.union([z.string(), z.number(), z.boolean()]),
  }),
])
export type ParameterFileEntry = z.infer<typeof ParameterFileEntry>

/** A parameters file: a JSON list of entries. */
export const ParameterFile = z.array(ParameterFileEntry)

/**
 * Parse the text of a parameters file into raw bytes by name.
 * @throws ConfigError naming the file and the offending entry, or a name given twice.
 */
export function parseParameterFile(text: string, file: string): Map<string, Uint8Array> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError(`${file}: not valid JSON (${(cause as Error).message})`, { cause })
  }
  const parsed = ParameterFile.safeParse(json)
  if (!parsed.success) {
    const issues = formatIssues(parsed.error)
    throw new ConfigError(
      `${file}: expected a list of {"name", "data"} or {"name", "value"}: ${issues}`,
    )
  }
  const out = new Map<string, Uint8Array>()
  for (const entry of parsed.data) {
    if (out.has(entry.name)) throw new ConfigError(`${file}: parameter '${entry.name}' given twice`)
    const bytes =
      'data' in entry ? new TextEncoder().encode(entry.data) : encodeParameterValue(entry.value)
    out.set(entry.name, bytes)
  }
  return out
}

/**
 * Read and parse a parameters file.
 * @throws ConfigError when the file cannot be read or parsed.
 */
export async function readParameterFile(file: string): Promise<Map<string, Uint8Array>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (cause) {
    throw new ConfigError(`cannot read parameters file ${file}: ${(cause as Error).message}`, {
      cause,
    })
  }
  return parseParameterFile(text, file)
}
