import { readFile } from 'node:fs/promises'
import { decodeMultiple } from 'cbor-x'
import type { RunnerEvent, RunnerLimits } from '../../../src/analysis/analysis-runner.js'
import { makeParameter, type Parameters } from '../../../src/internal.js'
import type { EventNumber } from '../../../src/protocol/ids.js'
import { fixturePath } from '../../harness/fixtures.js'

/** Generous limits: a loaded machine must not trip them in tests that do not test them. */
export const LIMITS: RunnerLimits = {
  callTimeoutMs: 30_000,
  lifecycleTimeoutMs: 30_000,
  memoryMiB: Number.POSITIVE_INFINITY,
}

/** A Python test module of this folder, as `path:Class`. */
export function pyModule(file: string, cls: string): string {
  return `${new URL(`./python-modules/${file}`, import.meta.url).pathname}:${cls}`
}

/** Log lines of the host, kept for assertions. */
export function collectLog(): {
  lines: string[]
  log: (level: 'info' | 'warn' | 'error', line: string) => void
} {
  const lines: string[] = []
  return { lines, log: (level, line) => lines.push(`${level} ${line}`) }
}

/** A raw capture's messages (one array of zmq parts each), read with cbor-x alone. */
export async function captureMessages(name: string): Promise<Uint8Array[][]> {
  const items: Uint8Array[][] = []
  decodeMultiple(await readFile(fixturePath(name)), (item: unknown) => {
    items.push(item as Uint8Array[])
  })
  return items
}

/** An event of the given streams. */
export function event(
  eventNumber: number,
  streams: Record<string, [string, Uint8Array[]]>,
  tick = false,
): RunnerEvent {
  return {
    event: {
      eventNumber: eventNumber as EventNumber,
      streams: Object.fromEntries(
        Object.entries(streams).map(([k, [typ, frames]]) => [k, { typ, frames }]),
      ),
    },
    tick,
  }
}

/** Parameters from text values, typed by nothing (as undescribed parameters are). */
export function textParameters(values: Record<string, string>): Parameters {
  const enc = new TextEncoder()
  return Object.freeze(
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, makeParameter(k, enc.encode(v), undefined)]),
    ),
  )
}
