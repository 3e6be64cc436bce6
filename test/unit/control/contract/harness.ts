import type { ControlPlane } from '../../../../src/control/control-plane.js'

/**
 * What a contract suite needs from an implementation. The same suites run against the
 * in-memory plane (fake clock) and real Redis (real time, unique prefix per test).
 */
export interface ContractHarness {
  /** The test's key prefix (unique per test). */
  readonly prefix: string
  /** A new, not yet started plane on the shared data; `prefix` defaults to the test's. */
  create(prefix?: string): ControlPlane
  /** A started plane on the shared data (another "process"); closed by `cleanup`. */
  connect(prefix?: string): Promise<ControlPlane>
  /**
   * Let `ms` pass on the clock that TTLs run on. Memory: moves the fake clock at once. Redis:
   * nothing; real time passes while the test polls (`expect.poll`, `vi.waitFor`).
   */
  elapse(ms: number): void
  /** How long a poll may wait for an expiry or a heartbeat (ms). */
  readonly pollTimeoutMs: number
  /** Close every plane made here and remove the test's keys. */
  cleanup(): Promise<void>
}

/** Makes a fresh harness per test. */
export type HarnessFactory = () => Promise<ContractHarness>

/** Utility for tests: bytes of a text. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
/** Utility for tests: text of bytes (or undefined). */
export const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes)
