import type { ProcessInfo } from '../control/process-info.js'

/** A live process as `/api/v1/config` shows it (Dranspose's `*State`, plus beamloom's fields). */
export interface ProcessState {
  readonly name: string
  /** `in-scan` when it takes part in the running scan, else `idle`. */
  readonly state: 'in-scan' | 'idle'
  /** Registry instance id (Dranspose: `service_uuid`). */
  readonly service_uuid: string
  /** The running scan's id when it takes part in it (Dranspose: `mapping_uuid`). */
  readonly mapping_uuid: string | null
  readonly url: string | null
  readonly host: string
  readonly pid: number
  readonly started_at: number
  readonly version: string | null
  readonly endpoints: Record<string, string>
  readonly streams?: readonly string[]
  readonly tags?: readonly string[]
  readonly processed_events?: number
  /**
   * Workers: the live ingesters the worker has a data link to, each as the ingester appears in
   * `ingesters` (Dranspose's `WorkerState.ingesters`). A stream is available when every worker
   * lists the ingester serving it.
   */
  readonly ingesters?: readonly ProcessState[]
}

/** The ensemble (Dranspose's `EnsembleState`). */
export interface EnsembleState {
  readonly ingesters: ProcessState[]
  readonly workers: ProcessState[]
  readonly reducer: ProcessState | null
  readonly controller_version: string | null
  /** beamloom: the parameter set's version number (Dranspose: a UUID per parameter). */
  readonly parameters_version: number
  readonly parameters_hash: string
}

/** What {@link buildEnsemble} needs besides the processes. */
export interface EnsembleContext {
  readonly scanId: string | undefined
  readonly scanStreams: ReadonlySet<string>
  readonly scanWorkers: ReadonlyMap<string, string>
  readonly processed: ReadonlyMap<string, number>
  readonly version: string | undefined
  readonly parametersVersion: number
  readonly parametersHash: string
}

/** Build the ensemble view from the live processes (pure). */
export function buildEnsemble(
  processes: readonly ProcessInfo[],
  ctx: EnsembleContext,
): EnsembleState {
  const base = (p: ProcessInfo, inScan: boolean): ProcessState => ({
    name: p.name,
    state: inScan ? 'in-scan' : 'idle',
    service_uuid: p.instanceId,
    mapping_uuid: inScan ? (ctx.scanId ?? null) : null,
    url: p.url ?? null,
    host: p.host,
    pid: p.pid,
    started_at: p.startedAt,
    version: p.version ?? null,
    endpoints: p.endpoints ?? {},
  })
  const running = ctx.scanId !== undefined
  const ingesters = processes
    .filter((p) => p.role === 'ingester')
    .map((p) => {
      const streams = p.streams ?? []
      return { ...base(p, running && streams.some((s) => ctx.scanStreams.has(s))), streams }
    })
  const byInstance = new Map(ingesters.map((i) => [i.service_uuid, i]))
  const workers = processes
    .filter((p) => p.role === 'worker')
    .map((p) => ({
      ...base(p, running && ctx.scanWorkers.get(p.name) === p.instanceId),
      tags: p.tags,
      processed_events: ctx.processed.get(p.name) ?? 0,
      // Only links to the instance that is live now: a restarted ingester needs a new link.
      ingesters: (p.ingesters ?? []).flatMap((link) => {
        const ingester = byInstance.get(link.instanceId)
        return ingester?.name === link.name ? [ingester] : []
      }),
    }))
  const reducer = processes.find((p) => p.role === 'reducer')
  return {
    ingesters,
    workers,
    reducer: reducer === undefined ? null : base(reducer, running),
    controller_version: ctx.version ?? null,
    parameters_version: ctx.parametersVersion,
    parameters_hash: ctx.parametersHash,
  }
}
