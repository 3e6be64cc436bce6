import { describe, expect, it } from 'vitest'
import { UpstreamClosedError } from '../../../src/errors.js'
import { sleep } from '../../../src/service/abort.js'
import { type CloseStepContext, ServiceBase } from '../../../src/service/service-base.js'

/** A service made of scripted steps; records what happened in `log`. */
class Scripted extends ServiceBase {
  readonly log: string[] = []
  gate: Promise<void> = Promise.resolve()
  startError: Error | undefined
  loops: Record<string, (signal: AbortSignal) => Promise<void>> = {}
  closeError: Error | undefined

  constructor() {
    super('scripted')
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    this.log.push('open a')
    this.addCloseStep('a', () => {
      this.log.push('close a')
    })
    await Promise.race([this.gate, sleep(60_000, signal)])
    if (this.startError) throw this.startError
    this.log.push('open b')
    this.addCloseStep('b', (ctx: CloseStepContext) => {
      this.log.push(`close b force=${ctx.force}`)
      if (this.closeError) throw this.closeError
    })
    for (const [name, loop] of Object.entries(this.loops)) this.spawn(name, loop)
  }

  failWith(err: Error): void {
    this.fail(err)
  }
}

const never = new Promise<void>(() => {})

describe('ServiceBase lifecycle quartet', () => {
  it('start → close: runs, then releases in reverse order', async () => {
    const s = new Scripted()
    await s.start()
    expect(s.state).toBe('running')
    await s.close()
    expect(s.state).toBe('closed')
    expect(s.log).toEqual(['open a', 'open b', 'close b force=false', 'close a'])
    expect(await s.closed).toBeUndefined()
  })

  it('close twice (and concurrently) runs the steps once; start after close is refused', async () => {
    const s = new Scripted()
    await s.start()
    await Promise.all([s.close(), s.close()])
    await s.close({ force: true })
    expect(s.log.filter((l) => l.startsWith('close'))).toHaveLength(2)
    await expect(s.start()).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })

  it('close during start: start rejects STATE_INVALID, what was opened is released', async () => {
    const s = new Scripted()
    s.gate = never
    const starting = s.start()
    expect(s.state).toBe('starting')
    await s.close()
    await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
    expect(s.log).toEqual(['open a', 'close a'])
    expect(await s.closed).toBeUndefined()
  })

  it('close while a loop is blocked: the loop sees the abort and close completes', async () => {
    const s = new Scripted()
    let sawAbort = false
    s.loops.blocked = async (signal) => {
      try {
        await sleep(60_000, signal)
      } finally {
        sawAbort = signal.aborted
      }
    }
    await s.start()
    await s.close()
    expect(sawAbort).toBe(true)
    expect(await s.closed).toBeUndefined()
  })
})

describe('ServiceBase failures', () => {
  it('a failing start releases what it opened and rejects with the error', async () => {
    const s = new Scripted()
    s.startError = new Error('boom')
    await expect(s.start()).rejects.toThrow('boom')
    expect(s.log).toEqual(['open a', 'close a'])
    expect((await s.closed)?.message).toBe('boom')
  })

  it('a throwing loop closes the service with its error', async () => {
    const s = new Scripted()
    s.loops.bad = async () => {
      throw new UpstreamClosedError('gone')
    }
    await s.start()
    expect(await s.closed).toMatchObject({ code: 'UPSTREAM_CLOSED' })
    expect(s.state).toBe('closed')
    expect(s.log).toContain('close a')
  })

  it('a loop that ignores the signal holds a graceful close until it is forced', async () => {
    const s = new Scripted()
    s.loops.stubborn = () => never
    await s.start()
    const graceful = s.close()
    let done = false
    void graceful.then(() => {
      done = true
    })
    await expect.poll(() => s.state).toBe('closing')
    expect(done).toBe(false)
    await s.close({ force: true })
    expect(done).toBe(true)
    expect(s.log).toContain('close b force=true')
  })

  it('a failing close step is reported through closed; later steps still run', async () => {
    const s = new Scripted()
    s.closeError = new Error('cannot close b')
    await s.start()
    await s.close()
    expect(s.log).toEqual(['open a', 'open b', 'close b force=false', 'close a'])
    const err = await s.closed
    expect(err).toMatchObject({ code: 'STATE_INVALID' })
    expect(err?.cause).toBe(s.closeError)
  })

  it('fail() closes with the first error; close of an idle service is immediate', async () => {
    const s = new Scripted()
    await s.start()
    s.failWith(new Error('first'))
    s.failWith(new Error('second'))
    expect((await s.closed)?.message).toBe('first')
    const idle = new Scripted()
    await idle.close()
    expect(idle.state).toBe('closed')
    expect(idle.log).toEqual([])
  })
})
