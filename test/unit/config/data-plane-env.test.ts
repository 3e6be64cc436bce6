import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'
import { parseDataPlaneEnv } from '../../../src/config/data-plane-env.js'
import { formatCurveKeyFile, generateCurveKeys } from '../../../src/transport/curve-keys.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'

describe('DATA_PLANE_KEY_FILE', () => {
  it('is off unless set, and gives every data-plane role the same key pair', () => {
    expect(parseDataPlaneEnv({})).toEqual({})
    const dir = mkdtempSync(join(tmpdir(), 'beamloom-dp-'))
    const keys = generateCurveKeys()
    const file = join(dir, 'secret-key')
    writeFileSync(file, formatCurveKeyFile(keys))
    const env = { DATA_PLANE_KEY_FILE: file }
    expect(parseDataPlaneEnv(env)).toEqual({ curve: keys })
    expect(parseIngesterEnv({ ...env, INGESTER_STREAMS: 'eiger' }).config.curve).toEqual(keys)
    expect(parseWorkerEnv({ ...env, WORKER_MODULE: 'x.ts:X' }).worker.curve).toEqual(keys)
    expect(parseReducerEnv({ ...env, REDUCER_MODULE: 'x.ts:X' }).reducer.curve).toEqual(keys)
    expect(parseIngesterEnv({ INGESTER_STREAMS: 'eiger' }).config.curve).toBeUndefined()
  })

  it('stops start-up naming the file when it is missing or holds no key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamloom-dp-'))
    writeFileSync(join(dir, 'bad'), 'not a key')
    expect(() => parseDataPlaneEnv({ DATA_PLANE_KEY_FILE: join(dir, 'bad') })).toThrow(
      /holds no CURVE secret key/,
    )
    expect(() =>
      parseWorkerEnv({ DATA_PLANE_KEY_FILE: join(dir, 'none'), WORKER_MODULE: 'x.ts:X' }),
    ).toThrow(/cannot read the data-plane key file/)
  })
})
