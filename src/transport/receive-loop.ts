import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Longest stretch of handling messages without giving the event loop a turn, ms. zeromq
 * resolves a receive at once while messages are queued, so without a turn now and then a busy
 * receiver (a reducer in a backlog) would starve timers, HTTP and the control plane's replies.
 */
const MAX_TURN_MS = 5

/** The part of a zmq socket {@link receiveLoop} needs (any `zeromq` v6 readable socket). */
export interface ReceivingSocket {
  receive(): Promise<Buffer[]>
  readonly closed: boolean
  /** Whether a message is queued (a receive would resolve at once); read by {@link receiveRuns}. */
  readonly readable?: boolean
}

/** Handles one received multipart message; may return a promise to apply back-pressure. */
export type MessageHandler = (parts: Buffer[]) => void | Promise<void>

/** Handles the messages of one run (see {@link receiveRuns}); may return a promise. */
export type RunHandler = (messages: Buffer[][]) => void | Promise<void>

/**
 * Receive messages from `socket` and hand each to `onMessage`, one at a time: the next message
 * is not read until the handler's promise settles, so a slow handler lets zmq's queues fill and
 * the sender wait (back-pressure) instead of buffering without bound here.
 *
 * Every few milliseconds of continuous handling it yields one event-loop turn, so timers and
 * other I/O of the process keep running while messages pour in.
 *
 * Resolves when `signal` aborts (at once, even while waiting for a message) or when the socket
 * is closed. Aborting abandons the pending read: the owner closes the socket next, and a
 * message that arrives in between is dropped with it. Rejects with the handler's error, or with
 * a socket error other than being closed.
 */
export function receiveLoop(
  socket: ReceivingSocket,
  onMessage: MessageHandler,
  signal: AbortSignal,
): Promise<void> {
  return receiveRuns(socket, (messages) => onMessage(messages[0]!), signal, 1)
}

/**
 * {@link receiveLoop}, handing out runs: after each message it takes the ones already queued in
 * zmq (up to `maxRun` in all) and hands them to `onMessages` together, so a handler with a fixed
 * cost per call (a reducer's watched call into user code, an acknowledgement) pays it once per
 * run. While the handler works, messages queue in zmq, so runs grow with the load and stay single
 * messages when it is light (no message waits for a run to fill). Same back-pressure, turns and
 * ending as {@link receiveLoop}.
 */
export async function receiveRuns(
  socket: ReceivingSocket,
  onMessages: RunHandler,
  signal: AbortSignal,
  maxRun: number,
): Promise<void> {
  // One abort listener for the whole loop (not one per message): it wakes the current wait.
  let wake: ((parts: Buffer[] | undefined) => void) | undefined
  const onAbort = (): void => wake?.(undefined)
  signal.addEventListener('abort', onAbort, { once: true })
  let turnStarted = performance.now()
  try {
    while (!signal.aborted && !socket.closed) {
      if (performance.now() - turnStarted > MAX_TURN_MS) {
        await nextTurn()
        turnStarted = performance.now()
        // An abort during the turn found no wait to wake: look again before waiting.
        continue
      }
      let pending: Promise<Buffer[]>
      try {
        pending = socket.receive()
      } catch (err) {
        if (socket.closed) return
        throw err
      }
      let parts: Buffer[] | undefined
      try {
        parts = await new Promise<Buffer[] | undefined>((resolve, reject) => {
          wake = resolve
          pending.then(resolve, reject)
        })
      } catch (err) {
        // zmq rejects a pending read with EAGAIN when the socket is closed under it.
        if (socket.closed || signal.aborted) return
        throw err
      }
      wake = undefined
      if (parts === undefined) {
        // Aborted while waiting: the owner's close will reject the abandoned read.
        pending.catch(() => {})
        return
      }
      const run = [parts]
      while (run.length < maxRun && socket.readable === true && !socket.closed) {
        // Queued: zmq resolves this read at once.
        try {
          run.push(await socket.receive())
        } catch (err) {
          if (socket.closed || signal.aborted) return
          throw err
        }
      }
      const handled = onMessages(run)
      if (handled !== undefined) await handled
    }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
