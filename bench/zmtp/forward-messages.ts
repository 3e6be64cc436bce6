import type { ZmtpPull } from './zmtp-pull.js'
import type { ZmtpPush } from './zmtp-push.js'

/** Options of {@link forwardMessages}. */
export interface ForwardOptions {
  /** Stop after this many messages (default: until the PULL's connection ends). */
  readonly count?: number
  /** Called once, when the first message arrived (before it is sent on). */
  readonly onFirst?: () => void
}

/**
 * Send every message `pull` receives on through `push`, parts untouched and uncopied, each
 * released back to its pool only when `push`'s write callback says the kernel has its bytes
 * (not when `send` resolves: the socket may still hold the views in its queue). Resolves the
 * number of messages forwarded, once `count` were sent or the PULL's connection ended;
 * rejects with `ZMTP_STATE` when `push` was closed first.
 */
export async function forwardMessages(
  pull: ZmtpPull,
  push: ZmtpPush,
  options: ForwardOptions = {},
): Promise<number> {
  let n = 0
  while (options.count === undefined || n < options.count) {
    const message = await pull.receive()
    if (message === undefined) break
    if (n === 0) options.onFirst?.()
    n++
    try {
      await push.send(message.parts, () => message.release())
    } catch (err) {
      // `send` rejects only before it wrote anything (closed): the callback will never run.
      message.release()
      throw err
    }
  }
  return n
}
