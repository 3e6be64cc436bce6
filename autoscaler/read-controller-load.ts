import { z } from 'zod'
import { formatIssues, UpstreamClosedError } from '../src/internal.js'
import type { LoadObservation } from './decide-replicas.js'

/** The part of `GET /api/v1/status` the autoscaler reads. */
const StatusReply = z.object({
  scan_id: z.string().nullable(),
  status: z.string(),
  total_events: z.number().int().nonnegative(),
  completed_events: z.number().int().nonnegative(),
  workers: z.array(z.string()).default([]),
})

/** The part of `GET /api/v1/load` the autoscaler reads: per worker, per interval. */
const LoadReply = z.record(
  z.string(),
  z.object({ intervals: z.record(z.string(), z.object({ rate: z.number().nonnegative() })) }),
)

/** Where and how {@link readControllerLoad} reads. */
export interface ControllerLoadSource {
  /** The controller's base URL, without a trailing slash. */
  readonly controllerUrl: string
  /** The controller's bearer token (its status and load need it when it has one). */
  readonly controllerToken?: string | undefined
  /** The load interval the rate is read over, in seconds. */
  readonly rateWindowSeconds: number
  /** Each request is abandoned after this long, ms. */
  readonly requestTimeoutMs: number
  /** Aborts the requests (service closing). */
  readonly signal?: AbortSignal
  /** Clock, ms since the epoch (tests). */
  readonly now?: () => number
}

/** One observation plus the workers it saw, for logs and metrics. */
export interface ControllerLoad extends LoadObservation {
  /** Live workers of the running scan, by registry name. */
  readonly workers: readonly string[]
}

async function getJson(url: string, source: ControllerLoadSource): Promise<unknown> {
  const timeout = AbortSignal.timeout(source.requestTimeoutMs)
  const signal = source.signal === undefined ? timeout : AbortSignal.any([timeout, source.signal])
  let response: Response
  try {
    const token = source.controllerToken
    response = await fetch(url, {
      signal,
      headers: {
        accept: 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
    })
  } catch (cause) {
    throw new UpstreamClosedError(`controller unreachable at ${url}`, { cause })
  }
  if (!response.ok) {
    throw new UpstreamClosedError(`controller answered ${response.status} to GET ${url}`)
  }
  return response.json()
}

/**
 * Read the controller's scan status and per-worker load (`/api/v1/status`,
 * `/api/v1/load?intervals=<window>&scan=false`) into one {@link LoadObservation}: the backlog is
 * the running scan's events not yet complete, the rate the sum over every worker.
 * @throws UpstreamClosedError `UPSTREAM_CLOSED` when the controller cannot be reached, answers
 * an error status or a body that does not match (the caller retries on its next poll).
 */
export async function readControllerLoad(source: ControllerLoadSource): Promise<ControllerLoad> {
  const base = source.controllerUrl
  const window = String(source.rateWindowSeconds)
  const [statusBody, loadBody] = await Promise.all([
    getJson(`${base}/api/v1/status`, source),
    getJson(`${base}/api/v1/load?intervals=${window}&scan=false`, source),
  ])
  const status = StatusReply.safeParse(statusBody)
  const load = LoadReply.safeParse(loadBody)
  if (!status.success || !load.success) {
    const issues = [status.error, load.error].flatMap((e) => e?.issues ?? [])
    throw new UpstreamClosedError(
      `controller at ${base} answered an unexpected body: ${formatIssues(issues)}`,
    )
  }
  const running = status.data.status === 'running'
  let rate = 0
  for (const worker of Object.values(load.data)) rate += worker.intervals[window]?.rate ?? 0
  return {
    atMs: (source.now ?? Date.now)(),
    scanId: status.data.scan_id,
    running,
    backlogEvents: running
      ? Math.max(0, status.data.total_events - status.data.completed_events)
      : 0,
    rateEventsPerSecond: running ? rate : 0,
    workers: status.data.workers,
  }
}
