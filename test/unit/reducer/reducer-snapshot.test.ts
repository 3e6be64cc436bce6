import { Encoder } from 'cbor-x'
import { afterEach, describe, expect, it } from 'vitest'
import { encodeReducerSnapshot, readReducerSnapshot } from '../../../reducer/reducer-snapshot.js'
import {
  type ControlPlane,
  createMemoryControlPlane,
  isBeamloomError,
  ScanId,
} from '../../../src/internal.js'

const scan = ScanId.parse('7')
const counts = { reduced: 1, done: 1, workerFailed: 0, failed: 0, duplicates: 0, late: 0 }
const snapshot = {
  v: 1 as const,
  scanId: scan,
  takenAt: 1,
  analysis: new Uint8Array([1]),
  dedup: { floor: 0, entries: [] },
  sessions: [],
  counts,
}

describe('readReducerSnapshot', () => {
  let plane: ControlPlane | undefined
  afterEach(async () => {
    await plane?.close()
  })

  async function stored(bytes: Uint8Array): Promise<ControlPlane> {
    plane = createMemoryControlPlane({ keyPrefix: 'snapshot-test' })
    await plane.start()
    await plane.set(plane.keys.reducerState(scan), bytes)
    return plane
  }

  it('reads back what was encoded, and nothing when there is none', async () => {
    const p = await stored(encodeReducerSnapshot(snapshot))
    expect(await readReducerSnapshot(p, scan)).toMatchObject({ scanId: '7', counts })
    expect(await readReducerSnapshot(p, ScanId.parse('8'))).toBeUndefined()
  })

  it('names what is wrong with a stored value that is not a snapshot, by path', async () => {
    const wrong = { ...snapshot, v: 2, counts: { ...counts, late: -1 } }
    const p = await stored(new Encoder({ useRecords: false }).encode(wrong))
    const error = await readReducerSnapshot(p, scan).catch((err: unknown) => err)
    expect(isBeamloomError(error, 'PROTOCOL_INVALID')).toBe(true)
    expect((error as Error).message).toBe(
      'reducer snapshot of 7: v: Invalid input: expected 1; counts.late: Too small: expected number to be >=0',
    )
  })
})
