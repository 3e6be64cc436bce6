import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import {
  BeamloomError,
  type ControlPlane,
  isErrorCode,
  serveControlPlane,
} from '../../src/internal.js'
import type { FromWorkerThread, WorkerThreadData } from './worker-thread.js'

/** A `beamloom up` worker running in its own thread (see {@link startThreadWorker}). */
export interface ThreadWorker {
  readonly name: string
  /** Close the worker (gracefully, as `WorkerService.close`) and end its thread; idempotent. */
  close(): Promise<void>
}

/**
 * The compiled thread body. Threads run JavaScript: when this file runs from its TypeScript
 * source (tests), the compiled sibling under `dist/` is used.
 */
function threadEntry(): URL {
  const here = new URL('./worker-thread.js', import.meta.url)
  if (existsSync(fileURLToPath(here))) return here
  const path = fileURLToPath(here).replace(
    /\/cli\/up\/worker-thread\.js$/,
    '/dist/cli/up/worker-thread.js',
  )
  return pathToFileURL(path)
}

/** Whether a worker module can run in a thread: TypeScript/JavaScript classes, not `.py`. */
export function runsInThread(workerModule: string): boolean {
  return !/\.py(:|$)/.test(workerModule)
}

/** How long a closed worker thread may take to end by itself before it is terminated, ms. */
const THREAD_EXIT_MS = 10_000

/**
 * Start one worker in a worker thread, on `plane` (served to the thread over a port), and wait
 * until it runs. Its data plane (zmq) and its analysis are the thread's own, so several workers
 * use several cores. Rejects with the worker's start-up error (same code) when it fails.
 */
export async function startThreadWorker(
  plane: ControlPlane,
  name: string,
  workerModule: string,
): Promise<ThreadWorker> {
  const { port1, port2 } = new MessageChannel()
  const stopServing = serveControlPlane(plane, port1)
  const data: WorkerThreadData = { port: port2, keyPrefix: plane.keys.prefix, name, workerModule }
  const thread = new Worker(threadEntry(), { workerData: data, transferList: [port2], name })
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()))
  const next = (): Promise<FromWorkerThread> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number): void =>
        reject(new BeamloomError('STATE_INVALID', `worker thread ${name} exited (code ${code})`))
      thread.once('message', (m: FromWorkerThread) => {
        thread.off('exit', onExit)
        resolve(m)
      })
      thread.once('exit', onExit)
    })
  const end = async (): Promise<void> => {
    stopServing()
    port1.close()
    await thread.terminate()
  }
  let first: FromWorkerThread
  try {
    first = await next()
  } catch (err) {
    await end()
    throw err
  }
  if (first.op !== 'started') {
    await end()
    const message = first.op === 'failed' ? first.message : `worker ${name} did not start`
    const code = first.op === 'failed' && isErrorCode(first.code) ? first.code : 'STATE_INVALID'
    throw new BeamloomError(code, message)
  }
  let closing: Promise<void> | undefined
  return {
    name,
    close: () => {
      closing ??= (async () => {
        const closed = next().catch(() => undefined)
        thread.postMessage({ op: 'close' })
        await Promise.race([closed, exited])
        // Let the thread end by itself: zeromq tears its context down when the thread's
        // environment is cleaned up, and a terminate() in the middle of that aborts the whole
        // process ('Napi::Error'). Terminate only a thread that does not end in time.
        stopServing()
        port1.close()
        const timer = new Promise<'late'>((resolve) =>
          setTimeout(resolve, THREAD_EXIT_MS, 'late').unref(),
        )
        if ((await Promise.race([exited, timer])) === 'late') await thread.terminate()
      })()
      return closing
    },
  }
}
