import type { Logger } from 'pino'
import { ConfigError } from '../../src/internal.js'
import type { ScanMetadata } from '../nexus/scan-metadata.js'
import { resolveH5Path, timestampedName } from './h5-file-name.js'
import { loadH5wasm } from './load-h5wasm.js'
import { type H5WriteReport, writePublishH5 } from './write-publish-h5.js'

/** What a file is made of, read at the moment it is written. */
export interface H5Snapshot {
  readonly publish: unknown
  readonly metadata: ScanMetadata
}

/** What {@link H5Files} needs. */
export interface H5FilesOptions {
  /** The directory files go into; `undefined`: writing files is not configured. */
  readonly dir: string | undefined
  readonly read: () => H5Snapshot
  /** Bring the metadata up to date before a file is written (reads the control plane). */
  readonly refresh?: () => Promise<void>
  readonly logger: Logger
}

/**
 * The reducer's HDF5 files: one per scan at its end (`<scanId>.h5`) and others on request, all
 * inside the configured directory (names that would leave it are refused).
 */
export class H5Files {
  readonly #options: H5FilesOptions

  constructor(options: H5FilesOptions) {
    this.#options = options
  }

  /** The directory, or `undefined` when files are not configured. */
  get dir(): string | undefined {
    return this.#options.dir
  }

  /**
   * Write the current `publish` to `name` (default `<scanId>-<time>.h5`) in the directory.
   * @throws ConfigError `CONFIG_INVALID` for a bad name or no directory configured;
   * BeamloomError `STATE_INVALID` when HDF5 fails.
   */
  async write(name?: string): Promise<H5WriteReport> {
    const dir = this.#options.dir
    if (dir === undefined) throw new ConfigError('no HDF5 directory configured (REDUCER_H5_DIR)')
    await this.#options.refresh?.()
    // Loaded before reading: from here on the read and the write are one synchronous step.
    await loadH5wasm()
    const snapshot = this.#options.read()
    const base = snapshot.metadata.scanId ?? 'publish'
    const path = resolveH5Path(dir, name ?? timestampedName(base))
    return this.#write(path, snapshot)
  }

  /**
   * Write the current `publish` to `path`, any path the caller chose (`beamloom up --h5`).
   * @throws BeamloomError `CONFIG_INVALID` when the file cannot be created, `STATE_INVALID`
   * when HDF5 fails.
   */
  async writeTo(path: string): Promise<H5WriteReport> {
    await this.#options.refresh?.()
    await loadH5wasm()
    return this.#write(path, this.#options.read())
  }

  /**
   * Write `<scanId>.h5` after a scan ended, when files are configured. Never rejects: a failure
   * is logged (the scan's result stays readable over HTTP).
   */
  async writeScanEnd(scanId: string): Promise<H5WriteReport | undefined> {
    const dir = this.#options.dir
    if (dir === undefined) return undefined
    try {
      await this.#options.refresh?.()
      await loadH5wasm()
      return await this.#write(resolveH5Path(dir, scanId), this.#options.read())
    } catch (err) {
      this.#options.logger.error({ err, scan: scanId }, 'writing the HDF5 file of the scan failed')
      return undefined
    }
  }

  async #write(path: string, snapshot: H5Snapshot): Promise<H5WriteReport> {
    const report = await writePublishH5(snapshot.publish, path, { metadata: snapshot.metadata })
    const { logger } = this.#options
    logger.info({ path, datasets: report.datasets, groups: report.groups }, 'HDF5 file written')
    if (report.skipped.length > 0)
      logger.warn({ path, skipped: report.skipped }, 'HDF5 file: parts left out')
    return report
  }
}
