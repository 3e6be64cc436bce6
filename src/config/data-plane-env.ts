import { z } from 'zod'
import { type CurveKeys, loadCurveKeys } from '../transport/curve-keys.js'

/** The shared data-plane env variables (see {@link parseDataPlaneEnv}). */
export const DataPlaneEnv = z.object({ DATA_PLANE_KEY_FILE: z.string().optional() })

/** The data-plane part of every ingester's, worker's and reducer's config. */
export interface DataPlaneConfig {
  /** The deployment's CURVE key pair; unset: the data plane is plain TCP. */
  readonly curve?: CurveKeys
}

/**
 * Read the shared data-plane env: `DATA_PLANE_KEY_FILE` — a file holding the deployment's
 * CURVE secret key (a zcert file from `beamloom keys`, 40 Z85 characters, 64 hex digits or 32
 * bytes in base64; a mounted Kubernetes Secret key works as is). When set, every data socket
 * of ingesters, workers and reducer is encrypted and admits only peers holding the same key.
 * Read once at start-up; to rotate, replace the file on every process and restart them (between
 * scans).
 * @throws ConfigError `CONFIG_INVALID` when the file cannot be read or holds no key.
 */
export function parseDataPlaneEnv(
  env: Readonly<Record<string, string | undefined>>,
): DataPlaneConfig {
  const path = DataPlaneEnv.parse(env).DATA_PLANE_KEY_FILE
  if (path === undefined || path === '') return {}
  return { curve: loadCurveKeys(path) }
}
