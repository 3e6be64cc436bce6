import { z } from 'zod'
import {
  AnalysisError,
  ConfigError,
  eventNumber,
  formatIssues,
  type HostLog,
  loadSourceClass,
  ProtocolError,
  type StreamData,
  type WorkerMessage,
} from '../../src/analysis-runtime.js'
import type { MergeSource } from './merge-by-event.js'

/** A frame as a source may give it: bytes, or text (UTF-8, e.g. a JSON header). */
const SourceFrame = z.union([z.instanceof(Uint8Array), z.string()])

/** What one generator of a source class yields (Dranspose's `InternalWorkerMessage`). */
const SourceMessage = z.strictObject({
  eventNumber: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  streams: z.record(
    z.string().min(1),
    z.strictObject({ typ: z.string(), frames: z.array(SourceFrame) }),
  ),
})

const utf8 = new TextEncoder()

/**
 * Whether `spec` names a Python class: a `.py` file or a dotted module path
 * (`src.hdf5_sources:FluorescenceSource`), as Dranspose's `-s` takes.
 */
export function isPythonSource(spec: string): boolean {
  const colon = spec.lastIndexOf(':')
  const module = colon > 0 ? spec.slice(0, colon) : spec
  return module.endsWith('.py') || /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(module)
}

/**
 * Open a replay source class (`replay --source module:Class`, Dranspose's `-s`): load it, make
 * one instance, and turn each generator of `getSourceGenerators()` into a source of worker
 * messages (validated as they come) for `mergeByEvent`.
 *
 * TypeScript and JavaScript modules load here; Python classes (`path/to/file.py:Class` or a
 * dotted module, with `get_source_generators()` yielding `InternalWorkerMessage`s) run in a
 * Python process (`openPythonSource`, interpreter from `BEAMLOOM_PYTHON`).
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` for a module that is missing or
 *   not a source class, or whose constructor or `getSourceGenerators()` throws or returns
 *   something other than a list of generators; `CONFIG_INVALID` for a spec without a class or
 *   a Python interpreter that cannot start.
 */
export async function openSourceClass(
  spec: string,
  cwd?: string,
  log: HostLog = writeSourceOutput,
): Promise<MergeSource[]> {
  if (isPythonSource(spec)) return openPythonSourceClass(spec, cwd, log)
  const { cls } = await loadSourceClass(spec, cwd)
  let generators: unknown
  try {
    generators = new cls().getSourceGenerators()
  } catch (cause) {
    throw new AnalysisError(spec, undefined, `getSourceGenerators() threw: ${reason(cause)}`, cause)
  }
  if (!isIterable(generators)) {
    throw new AnalysisError(spec, undefined, 'getSourceGenerators() must return a list', undefined)
  }
  const out: MergeSource[] = []
  for (const [i, gen] of [...generators].entries()) {
    if (!isIterable(gen) && !isAsyncIterable(gen)) {
      throw new AnalysisError(
        spec,
        undefined,
        `getSourceGenerators()[${i}] is not a generator (nor any iterable)`,
        undefined,
      )
    }
    out.push({ name: `${spec}[${i}]`, messages: checked(spec, i, gen) })
  }
  return out
}

async function openPythonSourceClass(
  spec: string,
  cwd: string | undefined,
  log: HostLog,
): Promise<MergeSource[]> {
  const colon = spec.lastIndexOf(':')
  if (colon <= 0 || colon === spec.length - 1) {
    throw new ConfigError(
      `--source '${spec}': name the class, e.g. path/to/sources.py:MySource or package.module:MySource`,
    )
  }
  const { openPythonSource, pythonFromEnv } = await import('../../src/analysis-runtime-lazy.js')
  const source = await openPythonSource(spec.slice(0, colon), spec.slice(colon + 1), {
    python: pythonFromEnv(process.env),
    log,
    ...(cwd !== undefined ? { cwd } : {}),
  })
  return Array.from({ length: source.generators }, (_, i) => ({
    name: `${spec}[${i}]`,
    messages: source.messages(i),
  }))
}

/** A Python source's own output (its `print`s and warnings) goes to standard error. */
function writeSourceOutput(_level: string, line: string): void {
  process.stderr.write(`${line}\n`)
}

/** The generator's messages, each validated; a throw inside it names the source. */
async function* checked(
  spec: string,
  index: number,
  gen: Iterable<unknown> | AsyncIterable<unknown>,
): AsyncGenerator<WorkerMessage> {
  let count = 0
  let last: number | undefined
  const it = isAsyncIterable(gen) ? gen[Symbol.asyncIterator]() : gen[Symbol.iterator]()
  try {
    for (;;) {
      let next: IteratorResult<unknown>
      try {
        next = await it.next()
      } catch (cause) {
        throw new AnalysisError(
          spec,
          last,
          `source generator ${index} threw after ${count} messages: ${reason(cause)}`,
          cause,
        )
      }
      if (next.done) return
      const parsed = SourceMessage.safeParse(next.value)
      if (!parsed.success) {
        throw new ProtocolError(
          `${spec}: message ${count} of source generator ${index} is not {eventNumber, streams: {name: {typ, frames}}}: ${formatIssues(parsed.error, { max: 3 })}`,
        )
      }
      const streams: Record<string, StreamData> = {}
      for (const [name, s] of Object.entries(parsed.data.streams)) {
        streams[name] = {
          typ: s.typ,
          frames: s.frames.map((f) => (typeof f === 'string' ? utf8.encode(f) : f)),
        }
      }
      last = parsed.data.eventNumber
      count++
      yield { eventNumber: eventNumber(last), streams }
    }
  } finally {
    await it.return?.()
  }
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] === 'function'
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof (value as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] === 'function'
  )
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}
