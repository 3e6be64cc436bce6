import type { fork } from 'node:child_process'

/**
 * For a forked bench process: keep the IPC channel (and so the process: an idle zmq socket does
 * not keep the event loop alive) until the bench script sends its next message, the stop, then
 * let go of the channel. Senders wait for it so that closing does not leave the rest of their
 * queue to zmq's linger.
 */
export function stopRequested(): Promise<void> {
  process.channel?.ref()
  return new Promise((resolve) =>
    process.once('message', () => {
      process.disconnect()
      resolve()
    }),
  )
}

/** Waits for the next IPC message of one kind from a forked bench process. */
export type NextMessage<M extends { kind: string }> = <K extends M['kind']>(
  child: ReturnType<typeof fork>,
  kind: K,
) => Promise<Extract<M, { kind: K }>>

/**
 * For the messages `M` a bench's child processes send: a function resolving the next message of
 * a kind from a child (messages of other kinds are left for other listeners). It rejects when
 * the child exits first.
 */
export function messagesOf<M extends { kind: string }>(): NextMessage<M> {
  return (child, kind) =>
    new Promise((resolve, reject) => {
      const onMessage = (m: M): void => {
        if (m.kind !== kind) return
        child.off('message', onMessage)
        resolve(m as Extract<M, { kind: typeof kind }>)
      }
      child.on('message', onMessage)
      child.once('exit', (code) => reject(new Error(`bench child exited early (${code})`)))
    })
}
