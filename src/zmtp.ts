/**
 * The own ZMTP 3.1 implementation (`src/transport/zmtp/`), without the rest of the engine: the
 * bench's bare ZMTP processes import it from here so that they load what a bare zeromq.js
 * process loads and no more. The engine's roles reach the same modules through `internal.ts`.
 */

export * from './transport/zmtp/index.js'
