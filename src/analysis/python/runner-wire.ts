import { AnalysisError } from '../../errors.js'
import type { CallOutcome } from '../analysis-runner.js'
import type { Parameters } from '../parameters.js'
import { type HostDeath, type HostMessage, isHostDeath } from './python-host.js'

/** Parameters as the host reads them: `[name, raw bytes, typed value]`. */
export function parametersWire(parameters: Parameters): [string, Uint8Array, unknown][] {
  return Object.values(parameters).map((p) => [p.name, p.data, p.value])
}

/**
 * Sends the parameters only when they changed (by identity: the engine makes a new frozen
 * object per version), so most batches carry none.
 */
export class ParameterSender {
  #sent: Parameters | undefined

  /** `{ parameters }` to merge into a request, or `{}` when the host has these already. */
  fields(parameters: Parameters): { parameters?: [string, Uint8Array, unknown][] } {
    if (parameters === this.#sent) return {}
    this.#sent = parameters
    return { parameters: parametersWire(parameters) }
  }

  /** Forget what was sent (a new host). */
  reset(): void {
    this.#sent = undefined
  }
}

/** One outcome as the host sends it: `['r', payload]`, `['n']` or `['f', reason]`. */
export function outcomeFromWire(wire: unknown): CallOutcome {
  if (Array.isArray(wire)) {
    const [kind, value] = wire as [unknown, unknown]
    if (kind === 'r' && value instanceof Uint8Array) return { kind: 'result', payload: value }
    if (kind === 'n') return { kind: 'none' }
    if (kind === 'f' && typeof value === 'string') return { kind: 'failed', reason: value }
  }
  return {
    kind: 'failed',
    reason: `the Python host sent an outcome beamloom does not know: ${JSON.stringify(wire)}`,
  }
}

/**
 * The outcomes of a batch call of `count` items: those the host reported, then, when it died,
 * `timeout`/`crashed` for the item that was running and `skipped` for the rest. The host sends
 * outcomes while a call runs long, so those of earlier items normally arrive; when they did not
 * (the process died at once), they are lost with it and reported `skipped`, to run again.
 */
export function batchOutcomes(
  reply: HostMessage[] | HostDeath,
  count: number,
): { outcomes: CallOutcome[]; last: HostMessage | undefined } {
  const outcomes: CallOutcome[] = []
  const messages = isHostDeath(reply) ? reply.messages : reply
  for (const m of messages) {
    for (const wire of Array.isArray(m.outcomes) ? m.outcomes : [])
      outcomes.push(outcomeFromWire(wire))
  }
  if (isHostDeath(reply)) {
    const running = reply.item ?? outcomes.length
    while (outcomes.length < count) {
      outcomes.push(
        outcomes.length === running
          ? { kind: reply.kind, reason: reply.reason }
          : { kind: 'skipped' },
      )
    }
    return { outcomes, last: undefined }
  }
  while (outcomes.length < count)
    outcomes.push({ kind: 'failed', reason: 'the Python host sent no outcome for this item' })
  return { outcomes: outcomes.slice(0, count), last: messages[messages.length - 1] }
}

/**
 * The one reply of a lifecycle call; throws an `AnalysisError` (`ANALYSIS_FAILED`) naming the
 * module when the user code failed or the host died.
 */
export function lifecycleReply(
  module: string,
  what: string,
  reply: HostMessage[] | HostDeath,
): HostMessage {
  if (isHostDeath(reply))
    throw new AnalysisError(module, undefined, `${what}: ${reply.kind}: ${reply.reason}`, undefined)
  const message = reply[reply.length - 1] ?? {}
  if (typeof message.error === 'string')
    throw new AnalysisError(module, undefined, message.error, undefined)
  return message
}
