/**
 * A worker inside the checkout that imports the engine by the path of its source entry, as the
 * examples do: `isHostError` says whether errors the host makes are instances of its class.
 */
import { BeamloomError, type WorkerAnalysis } from '../../../../src/analysis.js'

export class EngineByPath implements WorkerAnalysis {
  static isHostError(err: unknown): boolean {
    return err instanceof BeamloomError
  }

  processEvent(): undefined {
    return undefined
  }
}
