import { afterEach, describe, expect, it } from 'vitest'
import { sequenceFromTriggerMap, streamName, uniformTriggerMap } from '../../../src/internal.js'
import { testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined

afterEach(async () => {
  const errors = bed?.errors() ?? []
  await bed?.cleanup()
  bed = undefined
  expect(errors).toEqual([])
})

describe('controller lifecycle', () => {
  it('starts and closes, and registers while running', async () => {
    bed = await testBed()
    const c = await bed.controller()
    expect(c.state).toBe('running')
    expect(await bed.fakes.get(bed.fakes.keys.process('controller', 'controller'))).toBeDefined()
    await c.close()
    expect(c.state).toBe('closed')
    expect(await c.closed).toBeUndefined()
    expect(await bed.fakes.get(bed.fakes.keys.process('controller', 'controller'))).toBeUndefined()
  })

  it('closes twice', async () => {
    bed = await testBed()
    const c = await bed.controller()
    await Promise.all([c.close(), c.close()])
    await c.close()
    expect(await c.closed).toBeUndefined()
  })

  it('closes during start', async () => {
    bed = await testBed()
    const c = await bed.controller(false)
    const started = c.start()
    await c.close()
    await expect(started).rejects.toMatchObject({ code: 'STATE_INVALID' })
    expect(await c.closed).toBeUndefined()
  })

  it('closes while its loops are blocked on reads, leaving the scan running for a successor', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a', { paused: true })
    const c = await bed.controller()
    const id = await c.startScan(
      sequenceFromTriggerMap(uniformTriggerMap([streamName('eiger')], 5)),
      true,
    )
    await c.close()
    expect(await c.closed).toBeUndefined()
    const state = await bed.fakes.get(bed.fakes.keys.scan(id))
    expect(JSON.parse(Buffer.from(state ?? []).toString())).toMatchObject({ status: 'running' })
    await expect(c.startScan(sequenceFromTriggerMap({}), true)).rejects.toMatchObject({
      code: 'STATE_INVALID',
    })
  })
})
