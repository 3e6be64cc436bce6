import { describe, expect, it } from 'vitest'
import { createSpotImages } from '../../../ingesters/stins/stins-images.js'
import { encodeStinsImage, parseStinsFrames } from '../../../src/internal.js'
import { Wakeup } from '../../../src/service/wakeup.js'

describe('createSpotImages', () => {
  it('makes frames with a bright moving spot over a low background', () => {
    const image = createSpotImages({ shape: [32, 48], dtype: 'uint16' })
    const a = image(0)
    const b = image(10)
    expect(a).toBeInstanceOf(Uint16Array)
    expect(a.length).toBe(32 * 48)
    const argmax = (x: ArrayLike<number>) => {
      let best = 0
      for (let i = 0; i < x.length; i++) if (x[i]! > x[best]!) best = i
      return best
    }
    expect(Number(a[argmax(a as Uint16Array)])).toBeGreaterThan(100)
    expect(argmax(a as Uint16Array)).not.toBe(argmax(b as Uint16Array))
  })

  it('round-trips through the STINS encoder and parser, bslz4 included', () => {
    const image = createSpotImages({ shape: [16, 16], dtype: 'float32' })(3)
    const parts = encodeStinsImage({
      msgNumber: 4,
      frame: 3,
      shape: [16, 16],
      data: image,
      compression: 'bslz4',
    })
    const parsed = parseStinsFrames(parts)
    expect(parsed.kind).toBe('data')
    if (parsed.kind === 'data') expect(parsed.data).toEqual(image)
  })
})

describe('Wakeup', () => {
  it('keeps a notification made before the wait and returns on abort', async () => {
    const wake = new Wakeup()
    wake.notify()
    await wake.wait(new AbortController().signal)
    const stop = new AbortController()
    const waiting = wake.wait(stop.signal)
    stop.abort()
    await waiting
    const later = wake.wait(new AbortController().signal)
    wake.notify()
    await later
  })
})
