/**
 * The one error hierarchy of beamloom. Branch on `code`, never on message text.
 *
 * Codes are stable strings; new ones may be added, existing ones never change meaning.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'PROTOCOL_INVALID'
  | 'RECORDING_CORRUPT'
  | 'RECORDING_TRUNCATED'
  | 'DECODE_FAILED'
  | 'FRAME_MISSING'
  | 'MODULE_NOT_FOUND'
  | 'MODULE_INVALID'
  | 'PARAMETER_INVALID'
  | 'MAPPING_INVALID'
  | 'STATE_INVALID'
  | 'UPSTREAM_CLOSED'
  | 'ANALYSIS_FAILED'

/** Base class: every error beamloom raises on purpose has a stable `code`. */
export class BeamloomError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Bad configuration or bad command-line input: fatal at start-up. */
export class ConfigError extends BeamloomError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'CONFIG_INVALID', message, options)
  }
}

/** Bytes that do not follow the protocol they claim to follow. */
export class ProtocolError extends BeamloomError {
  /**
   * The stream whose frames these were, when the parser was told (`parseStream(data, name)`,
   * `parseEvent(event)`); workers count failed events per stream by it (see
   * {@link streamOfError}).
   */
  readonly stream: string | undefined

  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode; stream?: string }) {
    super(options?.code ?? 'PROTOCOL_INVALID', message, options)
    this.stream = options?.stream
  }
}

/** A recording (`.cbors` or raw capture) that cannot be read; names the file and byte offset. */
export class RecordingError extends ProtocolError {
  readonly file: string
  readonly offset: number

  constructor(
    file: string,
    offset: number,
    reason: string,
    options?: { cause?: unknown; truncated?: boolean },
  ) {
    super(`${file}: ${reason} at byte offset ${offset}`, {
      cause: options?.cause,
      code: options?.truncated ? 'RECORDING_TRUNCATED' : 'RECORDING_CORRUPT',
    })
    this.file = file
    this.offset = offset
  }
}

/** An operation that is not allowed in the current state (for example, closed). */
export class StateError extends BeamloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_INVALID', message, options)
  }
}

/** The upstream (device, socket, file) closed while we still expected data. */
export class UpstreamClosedError extends BeamloomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPSTREAM_CLOSED', message, options)
  }
}

/** User analysis code threw; names the module and, where known, the event. */
export class AnalysisError extends BeamloomError {
  readonly module: string
  readonly eventNumber: number | undefined

  constructor(module: string, eventNumber: number | undefined, message: string, cause: unknown) {
    const where = eventNumber === undefined ? '' : ` (event ${eventNumber})`
    super('ANALYSIS_FAILED', `${module}${where}: ${message}`, { cause })
    this.module = module
    this.eventNumber = eventNumber
  }
}

/** Guard: is this one of ours with the given code? */
export function isBeamloomError(err: unknown, code?: ErrorCode): err is BeamloomError {
  return err instanceof BeamloomError && (code === undefined || err.code === code)
}

/** A field of an error, read structurally (the error may come from another copy of beamloom). */
function errorField(err: Error, key: 'code' | 'stream'): string | undefined {
  const value: unknown = Reflect.get(err, key)
  return typeof value === 'string' ? value : undefined
}

/**
 * The stream named by `err` or by an error in its `cause` chain (an {@link AnalysisError}
 * wrapping a `ProtocolError` from `parseStream(data, name)`), or `undefined`. Read by shape,
 * not by class: an analysis module may import its own copy of beamloom.
 */
export function streamOfError(err: unknown): string | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const stream = errorField(current, 'stream')
    if (stream !== undefined && errorField(current, 'code') !== undefined) return stream
    current = current.cause
  }
  return undefined
}

/**
 * The `code` of the innermost beamloom error in `err`'s `cause` chain (what went wrong at the
 * bottom: `PROTOCOL_INVALID`, `DECODE_FAILED`, …), or `undefined` when there is none. Read by
 * shape, like {@link streamOfError}.
 */
export function rootErrorCode(err: unknown): ErrorCode | undefined {
  let code: ErrorCode | undefined
  let current: unknown = err
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const found = errorField(current, 'code')
    if (found !== undefined && isErrorCode(found)) code = found
    current = current.cause
  }
  return code
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'CONFIG_INVALID',
  'PROTOCOL_INVALID',
  'RECORDING_CORRUPT',
  'RECORDING_TRUNCATED',
  'DECODE_FAILED',
  'FRAME_MISSING',
  'MODULE_NOT_FOUND',
  'MODULE_INVALID',
  'PARAMETER_INVALID',
  'MAPPING_INVALID',
  'STATE_INVALID',
  'UPSTREAM_CLOSED',
  'ANALYSIS_FAILED',
])

export function isErrorCode(code: string): code is ErrorCode {
  return ERROR_CODES.has(code)
}
