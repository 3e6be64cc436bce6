import { describe, expect, it } from 'vitest'
import { checkParameterValues } from '../../../cli/check-parameters.js'
import { type ParameterDescription, parseParameterDescriptions } from '../../../src/internal.js'

const descriptions = new Map<string, ParameterDescription>(
  parseParameterDescriptions(
    [
      { name: 'roi', dtype: 'str' },
      { name: 'channel', dtype: 'int', min: 0, max: 7 },
      { name: 'flip', dtype: 'bool' },
    ],
    'test',
  ).map((d) => [d.name, d]),
)
const values = (o: Record<string, string>) =>
  new Map(Object.entries(o).map(([k, v]) => [k, new TextEncoder().encode(v)]))

describe('parameters checked once against the descriptions', () => {
  it('accepts described names with values of their dtype', () => {
    expect(() =>
      checkParameterValues(values({ roi: '0:2', channel: '3', flip: 'True' }), descriptions, 'p'),
    ).not.toThrow()
  })

  it('refuses names no module describes, naming them and the known ones', () => {
    expect(() =>
      checkParameterValues(values({ rio: 'x', chanel: '1' }), descriptions, 'p.json'),
    ).toThrow("p.json: unknown parameters 'rio', 'chanel': the modules describe roi, channel, flip")
    expect(() => checkParameterValues(values({ rio: 'x' }), new Map(), 'p.json')).toThrow(
      'the modules describe no parameters',
    )
    // A module whose descriptions are not known here: names are not checked.
    expect(() =>
      checkParameterValues(values({ rio: 'x' }), descriptions, 'p.json', false),
    ).not.toThrow()
  })

  it('refuses every value that does not parse, in one error with code PARAMETER_INVALID', () => {
    let error: unknown
    try {
      checkParameterValues(values({ channel: 'nine', flip: 'maybe' }), descriptions, 'p.json')
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({
      code: 'PARAMETER_INVALID',
      message:
        "p.json: parameter 'channel' (int): 'nine' is not an integer; parameter 'flip' (bool): 'maybe' is not a boolean (True/False)",
    })
    expect(() => checkParameterValues(values({ channel: '9' }), descriptions, 'p')).toThrow(
      '9 > max 7',
    )
  })
})
