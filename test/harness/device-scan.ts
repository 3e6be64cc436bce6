import { startUp } from '../../cli/up/start-up.js'
import { parseUpSpec, type UpSpecInput } from '../../cli/up/up-spec.js'
import type { DeviceSummaries } from '../e2e/devices/device-summary.js'
import { repoPath } from './fixtures.js'

const SUMMARY = repoPath('test/e2e/devices/device-summary.ts')

/** What {@link runDeviceScan} saw. */
export interface DeviceScanResult {
  /** Per event number, per stream: what the worker's `parseStream` summary held. */
  readonly events: DeviceSummaries
  /** The controller's `/api/v1/progress` at the end. */
  readonly progress: Record<string, unknown>
  /** The reducer's whole `publish` at the end (for custom reducer modules). */
  readonly publish: unknown
}

/**
 * Run one scan through `beamloom up` in this process: the given simulators (real device
 * protocols over zmq/TCP) into their real ingesters, `workers` workers that parse every stream
 * with `parseStream`, and a reducer that keeps a summary per event and stream
 * (test/e2e/devices/device-summary.ts). Resolves when the reducer finished the scan.
 */
export async function runDeviceScan(
  spec: Pick<UpSpecInput, 'simulate' | 'ingester' | 'frames' | 'map' | 'allWrap'> & {
    workers?: number
    /** Worker and reducer modules (`path:Export`) instead of the device summary ones. */
    worker?: string
    reducer?: string
    /** Parameter values (text) set before the scan. */
    parameters?: Readonly<Record<string, string>>
  },
): Promise<DeviceScanResult> {
  const { parameters, ...rest } = spec
  const system = await startUp(
    parseUpSpec(
      {
        worker: `${SUMMARY}:DeviceSummaryWorker`,
        reducer: `${SUMMARY}:DeviceSummaryReducer`,
        workers: spec.workers ?? 2,
        port: 0,
        reducerPort: 0,
        ...rest,
      },
      'device scan',
    ),
    parameters === undefined
      ? {}
      : {
          parameters: new Map(
            Object.entries(parameters).map(([k, v]) => [k, new TextEncoder().encode(v)]),
          ),
        },
  )
  try {
    const scanId = await system.startScan()
    await system.reducer.scanDone(scanId)
    const progress = (await (
      await fetch(`${system.controllerUrl}/api/v1/progress`)
    ).json()) as Record<string, unknown>
    const publish = system.reducer.publish as { events: DeviceSummaries }
    return { events: publish.events, progress, publish }
  } finally {
    await system.close()
  }
}
