import { describe, expect, it } from 'vitest'
import { exposureWarning, isLoopbackHost } from '../../../src/service/exposure-warning.js'

describe('exposure warning', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackHost(h), h).toBe(true)
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'node7', '128.0.0.1', '127.0.0.1.evil']) {
      expect(isLoopbackHost(h), h).toBe(false)
    }
  })

  it('warns for a non-loopback host without a token only', () => {
    expect(exposureWarning('the API', '0.0.0.0', undefined, 'X_TOKEN')).toMatch(
      /the API listens on 0\.0\.0\.0.*without a token.*set X_TOKEN/,
    )
    expect(exposureWarning('the API', '0.0.0.0', 't', 'X_TOKEN')).toBeUndefined()
    expect(exposureWarning('the API', '127.0.0.1', undefined, 'X_TOKEN')).toBeUndefined()
  })
})
