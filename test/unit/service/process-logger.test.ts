import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createProcessLogger, type LogConfig } from '../../../src/internal.js'

/** A stream that collects what is written, claiming to be a terminal or not. */
function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY })
  let text = ''
  stream.on('data', (d: Buffer) => {
    text += d.toString()
  })
  return { stream, text: () => text }
}

const log = (level: LogConfig['level'], format: LogConfig['format']) => ({ level, format })

describe('createProcessLogger', () => {
  it('writes JSON lines when the destination is not a terminal', () => {
    const out = sink(false)
    const logger = createProcessLogger({
      name: 'controller',
      log: log('info', 'auto'),
      destination: out.stream,
    })
    logger.info({ url: 'http://x' }, 'controller running')
    logger.debug('not at info')
    const lines = out.text().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 30,
      name: 'controller',
      url: 'http://x',
      msg: 'controller running',
    })
  })

  it('writes one human-readable line per record on a terminal, and when asked', () => {
    for (const [tty, format] of [
      [true, 'auto'],
      [false, 'pretty'],
    ] as const) {
      const out = sink(tty)
      const logger = createProcessLogger({
        name: 'worker w1',
        log: log('debug', format),
        destination: out.stream,
        colour: false,
      })
      logger.warn({ event: 3 }, 'slow event')
      logger.debug('details')
      const lines = out.text().trim().split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(worker w1\): slow event .*"event":3/,
      )
      expect(lines[1]).toMatch(/DEBUG \(worker w1\): details$/)
      expect(out.text()).not.toContain('"msg"')
    }
  })

  it('writes JSON on a terminal when asked', () => {
    const out = sink(true)
    createProcessLogger({ log: log('info', 'json'), destination: out.stream }).info('hello')
    expect(JSON.parse(out.text())).toMatchObject({ msg: 'hello' })
  })
})
