import type { fork } from 'node:child_process'

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
