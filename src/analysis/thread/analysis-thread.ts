import { parentPort, workerData } from 'node:worker_threads'
import { rootErrorCode } from '../../errors.js'
import type { WorkerRunner } from '../analysis-runner.js'
import { createInlineWorkerRunner } from '../inline-worker-runner.js'
import { type FromThread, PROGRESS, type ThreadData, type ToThread } from './thread-messages.js'

// The body of an analysis thread: an inline runner of the user's worker class, answering the
// engine's requests one at a time (thread-messages.ts), and publishing which call runs since
// when in the shared progress buffer. Runs only inside a worker thread.

const port = parentPort
if (port === null) throw new Error('analysis-thread runs only as a worker thread')
const data = workerData as ThreadData
const progress = new Float64Array(data.progress)
let batch = 0

function send(message: FromThread): void {
  port!.postMessage(message)
}

function error(err: unknown): FromThread {
  const code = rootErrorCode(err) ?? 'ANALYSIS_FAILED'
  return { op: 'error', code, message: err instanceof Error ? err.message : String(err) }
}

async function handle(runner: WorkerRunner, message: ToThread): Promise<FromThread> {
  switch (message.op) {
    case 'begin':
      await runner.begin(message)
      return { op: 'ok' }
    case 'events': {
      batch = message.batch
      const events = message.events.map((event) => ({ event, tick: false }))
      const outcomes = await runner.processEvents(events, message.parameters)
      return { op: 'outcomes', batch: message.batch, outcomes }
    }
    case 'finish':
      await runner.finish(message.parameters)
      return { op: 'ok' }
    case 'close':
      await runner.close()
      return { op: 'ok' }
  }
}

async function main(): Promise<void> {
  let runner: WorkerRunner
  try {
    runner = await createInlineWorkerRunner(data.spec, data.cwd, {
      starting: (index) => {
        progress[PROGRESS.batch] = batch
        progress[PROGRESS.index] = index
        progress[PROGRESS.startedAt] = Date.now()
      },
      idle: () => {
        progress[PROGRESS.startedAt] = 0
      },
      stopped: () => progress[PROGRESS.stop] === 1,
    })
  } catch (err) {
    send(error(err))
    return
  }
  send({ op: 'loaded', parameters: runner.parameters })
  port!.on('message', (message: ToThread) => {
    handle(runner, message).then(send, (err: unknown) => send(error(err)))
  })
}

void main()
