import { describe, expect, it } from 'vitest'
import { UpStack } from '../../../cli/up/up-stack.js'

/** A stack of named fake parts that records starts and closes. */
function fakeStack(
  names: readonly string[],
  options: { failAt?: string; failClose?: string } = {},
) {
  const log: string[] = []
  const stack = new UpStack('test stack', async (add) => {
    for (const name of names) {
      log.push(`start ${name}`)
      if (name === options.failAt) throw new Error(`${name} would not start`)
      add(name, () => {
        log.push(`close ${name}`)
        if (name === options.failClose) throw new Error(`${name} would not close`)
      })
    }
    return { started: names.length }
  })
  return { stack, log }
}

describe('UpStack', () => {
  it('closes its parts in reverse order of start, once', async () => {
    const { stack, log } = fakeStack(['plane', 'controller', 'reducer', 'worker', 'simulator'])
    await stack.start()
    expect(stack.state).toBe('running')
    expect(stack.parts).toEqual({ started: 5 })
    await stack.close()
    await stack.close()
    expect(log.filter((l) => l.startsWith('close'))).toEqual([
      'close simulator',
      'close worker',
      'close reducer',
      'close controller',
      'close plane',
    ])
    expect(await stack.closed).toBeUndefined()
  })

  it('closes the parts already started when one fails to start, and rejects with its error', async () => {
    const { stack, log } = fakeStack(['plane', 'controller', 'reducer', 'worker'], {
      failAt: 'reducer',
    })
    await expect(stack.start()).rejects.toThrow('reducer would not start')
    expect(log).toEqual([
      'start plane',
      'start controller',
      'start reducer',
      'close controller',
      'close plane',
    ])
    expect(stack.state).toBe('closed')
    expect((await stack.closed)?.message).toBe('reducer would not start')
    expect(() => stack.parts).toThrow(/has not started/)
  })

  it('closes every part when one fails to close, and reports that failure in closed', async () => {
    const { stack, log } = fakeStack(['plane', 'controller', 'reducer'], { failClose: 'reducer' })
    await stack.start()
    await stack.close()
    expect(log.filter((l) => l.startsWith('close'))).toEqual([
      'close reducer',
      'close controller',
      'close plane',
    ])
    expect((await stack.closed)?.message).toMatch(
      /closing 'reducer' failed: reducer would not close/,
    )
  })

  it('closed while starting: the start ends, every part started so far is closed', async () => {
    const log: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const stack = new UpStack('test stack', async (add, signal) => {
      add('plane', () => {
        log.push('close plane')
      })
      await gate
      if (signal.aborted) throw signal.reason
      add('controller', () => {
        log.push('close controller')
      })
    })
    const started = stack.start()
    const closing = stack.close()
    release()
    await expect(started).rejects.toMatchObject({ code: 'STATE_INVALID' })
    await closing
    expect(log).toEqual(['close plane'])
    expect(stack.state).toBe('closed')
  })
})
