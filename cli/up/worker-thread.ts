import { type MessagePort, parentPort, workerData } from 'node:worker_threads'
import {
  createPortControlPlane,
  createProcessLogger,
  isBeamloomError,
  parseLogEnv,
} from '../../src/internal.js'
import { createWorker } from '../../workers/index.js'

// The body of one `beamloom up` worker in its own thread (thread-workers.ts): a worker service
// on the main thread's control plane (over a port), with its own event loop, so the workers of
// one `up` use more than one core. Runs only inside a worker thread.

/** What the main thread starts this thread with (`workerData`). */
export interface WorkerThreadData {
  readonly port: MessagePort
  readonly keyPrefix: string
  readonly name: string
  readonly workerModule: string
}

/** Messages from this thread: started, failed to start, closed. */
export type FromWorkerThread =
  | { readonly op: 'started' }
  | { readonly op: 'failed'; readonly code: string; readonly message: string }
  | { readonly op: 'closed' }

const parent = parentPort
if (parent === null) throw new Error('worker-thread runs only as a worker thread')
const data = workerData as WorkerThreadData
const tell = (message: FromWorkerThread): void => parent.postMessage(message)

const plane = createPortControlPlane(data.port, data.keyPrefix)
const logger = createProcessLogger({ log: parseLogEnv(process.env, 'up') }).child({
  name: data.name,
})
const worker = createWorker({ name: data.name, workerModule: data.workerModule }, { plane, logger })
let closeAsked = false
parent.on('message', (message: { op: 'close' }) => {
  if (message.op !== 'close' || closeAsked) return
  closeAsked = true
  void (async () => {
    await worker.close()
    await plane.close()
    tell({ op: 'closed' })
    parent.close()
  })()
})
try {
  await plane.start()
  await worker.start()
  tell({ op: 'started' })
} catch (err) {
  const code = isBeamloomError(err) ? err.code : ''
  tell({ op: 'failed', code, message: err instanceof Error ? err.message : String(err) })
  await plane.close()
  parent.close()
}
