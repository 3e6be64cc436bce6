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
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'PROTOCOL_INVALID', message, options)
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
