import { describe, expect, it } from 'vitest'
import * as publicApi from '../../src/index.js'
import * as internal from '../../src/internal.js'

describe('the public API (src/index.ts, the package entry point)', () => {
  it('has the four roles side by side', () => {
    for (const name of ['createController', 'createWorker', 'createReducer', 'createIngester']) {
      expect(typeof (publicApi as Record<string, unknown>)[name], name).toBe('function')
    }
  })

  it('has what analysis modules and sources use', () => {
    for (const name of [
      'parseStins',
      'parseStream',
      'BeamloomError',
      'isBeamloomError',
      'loadWorkerClass',
      'loadReducerClass',
      'encodeStinsHeader',
      'readRecording',
    ]) {
      expect((publicApi as Record<string, unknown>)[name], name).toBeDefined()
    }
  })

  it('leaves the engine internals out', () => {
    for (const name of ['MemoryStore', 'ioredisOptions', 'compareStreamIds', 'Assigner']) {
      expect((internal as Record<string, unknown>)[name], name).toBeDefined()
      expect((publicApi as Record<string, unknown>)[name], name).toBeUndefined()
    }
    expect(Object.keys(publicApi).length).toBeLessThan(Object.keys(internal).length / 3)
  })
})
