import { existsSync } from 'node:fs'
import { basename, extname } from 'node:path'
import {
  ConfigError,
  eventNumber,
  STINS_TYP,
  StinsCompression,
  stinsSeries,
  type WorkerMessage,
} from '../../src/analysis-runtime.js'

/** An HDF5 image stack to replay as a STINS stream: `--from-h5 <file>[:<dataset>][:key=value…]`. */
export interface H5Source {
  readonly file: string
  /** Path inside the file; absent: the file's NeXus default, or `/entry/data`. */
  readonly dataset: string | undefined
  /** The stream's name (default: the file's name without extension and `_master`). */
  readonly stream: string
  /** Blob encoding of the images (default `none`). */
  readonly compression: StinsCompression
}

const OPTIONS = new Set(['stream', 'compression'])

/**
 * Parse `<file>[:<dataset>][:stream=<name>][:compression=none|bslz4]` (pure but for checking
 * whether a name with colons is a file).
 * @throws ConfigError `CONFIG_INVALID` for an unknown option or a bad value.
 */
export function parseH5Source(text: string, flag = '--from-h5'): H5Source {
  const parts = text.split(':')
  const options: Record<string, string> = {}
  while (parts.length > 1) {
    const last = parts[parts.length - 1] as string
    const eq = last.indexOf('=')
    if (eq < 0 || !/^[a-z_]+$/.test(last.slice(0, eq))) break
    const key = last.slice(0, eq)
    if (!OPTIONS.has(key)) {
      throw new ConfigError(`${flag} '${text}': unknown option '${key}' (stream, compression)`)
    }
    options[key] = last.slice(eq + 1)
    parts.pop()
  }
  const rest = parts.join(':')
  let file = rest
  let dataset: string | undefined
  const colon = rest.lastIndexOf(':')
  if (!existsSync(rest) && colon >= 0) {
    file = rest.slice(0, colon)
    dataset = rest.slice(colon + 1) || undefined
  }
  if (file === '') throw new ConfigError(`${flag} '${text}': expected <file>[:<dataset>]`)
  const compression = StinsCompression.safeParse(options.compression ?? 'none')
  if (!compression.success) {
    throw new ConfigError(`${flag} '${text}': compression must be none or bslz4`)
  }
  const stream = options.stream ?? defaultStream(file)
  if (stream === '') throw new ConfigError(`${flag} '${text}': empty stream name`)
  return { file, dataset, stream, compression: compression.data }
}

/** `scan_master.h5` → `scan`, `pilatus.nxs` → `pilatus`. */
function defaultStream(file: string): string {
  return basename(file, extname(file)).replace(/_master$/, '')
}

/**
 * The stack as the events of one STINS stream, as a live detector would give them: the
 * header is event 0, frame k is event k + 1, the series end is event frames + 1. The file is
 * opened on the first read (a file that cannot be read rejects it: `CONFIG_INVALID`,
 * `DECODE_FAILED`) and closed when the events end or the reader stops early.
 */
export async function* h5Messages(source: H5Source): AsyncGenerator<WorkerMessage> {
  const { openHdf5Stack } = await import('../../src/analysis-runtime-lazy.js')
  const stack = await openHdf5Stack(source.file, source.dataset)
  try {
    let n = 0
    const series = stinsSeries(stack, {
      filename: source.file,
      compression: source.compression,
      header: { source: `${source.file}:${stack.dataset}` },
    })
    for await (const frames of series) {
      yield {
        eventNumber: eventNumber(n++),
        streams: { [source.stream]: { typ: STINS_TYP, frames } },
      }
    }
  } finally {
    await stack.close()
  }
}
