import type { Logger } from 'pino'
import type { ScanState } from '../../src/internal.js'
import {
  type ControlPlane,
  createProcessRegistry,
  type ModuleDigest,
  type Parameters,
  type ProcessRegistry,
  readScanState,
  type ScanId,
  sleep,
} from '../../src/internal.js'
import type { ScanEndState, ScanMetadata } from './scan-metadata.js'

/** What the reducer's current scan says about itself (its `ScanRun`). */
export interface RunFacts {
  readonly scanId: ScanId
  readonly status: ScanEndState
  readonly reason: string | undefined
  /** Epoch ms. */
  readonly startedAt: number
  readonly endedAt: number | undefined
  /** Events whose analysis failed, as the reducer counted them. */
  readonly failedEvents: number
}

/** Options of {@link LiveScanMetadata}. */
export interface LiveScanMetadataOptions {
  readonly plane: ControlPlane
  readonly heartbeatMs: number
  /** This reducer's own module. */
  readonly reducer: ModuleDigest
  /** The current (or last) scan, if any. */
  readonly run: () => RunFacts | undefined
  readonly parameters: () => Parameters | undefined
  readonly logger: Logger
  /** How often the scan's state and the live workers are read while it runs; default 2 s. */
  readonly refreshMs?: number
}

interface Seen {
  readonly scanId: ScanId
  state: ScanState | undefined
  /** Worker modules seen during the scan, by spec and hash. */
  readonly workers: Map<string, ModuleDigest>
  /** Ingesters seen serving each stream. */
  readonly ingesters: Map<string, Set<string>>
}

/**
 * The {@link ScanMetadata} of the reducer's current scan, as the live system knows it: the
 * scan's state on the control plane (number, name, times, end state and reason, streams), the
 * modules of the workers seen in the registry while it ran (sampled every `refreshMs` and once
 * more before a file is written), the ingesters serving its streams, this reducer's module and
 * the current parameters. {@link current} is synchronous (HDF5-REST builds its root from it);
 * {@link refresh} reads the control plane.
 */
export class LiveScanMetadata {
  readonly #o: LiveScanMetadataOptions
  readonly #registry: ProcessRegistry
  #seen: Seen | undefined

  constructor(options: LiveScanMetadataOptions) {
    this.#o = options
    this.#registry = createProcessRegistry(options.plane, { heartbeatMs: options.heartbeatMs })
  }

  /** The metadata now, from what was last read and the run's own facts. */
  current(): ScanMetadata {
    const run = this.#o.run()
    const seen = run !== undefined && this.#seen?.scanId === run.scanId ? this.#seen : undefined
    const state = seen?.state
    const ended = state !== undefined && state.status !== 'running'
    const streams = state?.streams ?? []
    return {
      scanId: run?.scanId,
      scanNumber: state?.number,
      scanName: state?.name,
      // The control plane's end state is the scan's; the reducer's run follows it.
      status: ended ? state.status : (run?.status ?? 'running'),
      reason: ended ? (state.reason ?? run?.reason) : run?.reason,
      startTime: state?.createdAt ?? iso(run?.startedAt),
      endTime: state?.endedAt ?? iso(run?.endedAt),
      workers: [...(seen?.workers.values() ?? [])],
      reducer: this.#o.reducer,
      parameters: this.#o.parameters(),
      sources: streams.map((s) => {
        const names = [...(seen?.ingesters.get(s) ?? [])]
        return names.length === 0
          ? `stream ${s}`
          : `stream ${s} from ingester ${names.map((n) => `'${n}'`).join(', ')}`
      }),
      events: state?.totalEvents,
      failedEvents: run?.failedEvents,
    }
  }

  /** Read the scan's state and the live workers and ingesters now. Never rejects. */
  async refresh(): Promise<void> {
    const run = this.#o.run()
    if (run === undefined) return
    if (this.#seen?.scanId !== run.scanId) {
      this.#seen = {
        scanId: run.scanId,
        state: undefined,
        workers: new Map(),
        ingesters: new Map(),
      }
    }
    const seen = this.#seen
    try {
      const [state, processes] = await Promise.all([
        readScanState(this.#o.plane, run.scanId),
        this.#registry.list(),
      ])
      if (state !== undefined) seen.state = state
      for (const p of processes) {
        if (p.role === 'worker' && p.module !== undefined) {
          seen.workers.set(`${p.module.spec} ${p.module.sha256}`, p.module)
        }
        if (p.role !== 'ingester') continue
        for (const stream of p.streams ?? []) {
          const names = seen.ingesters.get(stream) ?? new Set<string>()
          names.add(p.name)
          seen.ingesters.set(stream, names)
        }
      }
    } catch (err) {
      // Metadata is worth less than the scan: keep what was read before and say so.
      this.#o.logger.warn({ err }, 'could not read the scan metadata from the control plane')
    }
  }

  /** Refresh every `refreshMs` until `signal` aborts. */
  async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.refresh()
      await sleep(this.#o.refreshMs ?? 2000, signal)
    }
  }
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}
