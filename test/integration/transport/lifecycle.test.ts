import { describe, expect, it } from 'vitest'
import { WorkerName } from '../../../src/protocol/ids.js'
import { aborted } from '../../../src/service/abort.js'
import type { Service } from '../../../src/service/service.js'
import { createIngesterRouter } from '../../../src/transport/ingester-router.js'
import { createResultReceiver } from '../../../src/transport/result-receiver.js'
import { createResultSender } from '../../../src/transport/result-sender.js'
import { createWorkerDealer } from '../../../src/transport/worker-dealer.js'

// Connecting sockets need somewhere to point; nothing listens there, which is fine for zmq.
const nowhere = 'tcp://127.0.0.1:9'

const factories: [string, () => Service][] = [
  ['ingester router', () => createIngesterRouter()],
  [
    'worker dealer',
    () =>
      createWorkerDealer({
        endpoint: nowhere,
        worker: WorkerName.parse('w'),
        onBatch: (_b, signal) => aborted(signal),
      }),
  ],
  ['result receiver', () => createResultReceiver({ onBatch: (_b, _f, signal) => aborted(signal) })],
  [
    'result sender',
    () => createResultSender({ endpoint: nowhere, routingId: 'w', onAck: () => {} }),
  ],
]

describe.each(factories)('%s lifecycle', (_name, create) => {
  it('starts and closes', async () => {
    const s = create()
    await s.start()
    expect(s.state).toBe('running')
    await s.close()
    expect(s.state).toBe('closed')
    expect(await s.closed).toBeUndefined()
  })

  it('closes twice, and before ever starting', async () => {
    const s = create()
    await s.start()
    await Promise.all([s.close(), s.close()])
    await s.close({ force: true })
    expect(await s.closed).toBeUndefined()
    const never = create()
    await never.close()
    await expect(never.start()).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })

  it('closes during start', async () => {
    const s = create()
    const starting = s.start()
    const closing = s.close()
    await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
    await closing
    expect(s.state).toBe('closed')
  })

  it('closes promptly while its receive loop waits for a message', async () => {
    const s = create()
    await s.start()
    await s.close()
    expect(await s.closed).toBeUndefined()
  })
})

describe('configuration errors at start-up', () => {
  it('fails to bind a malformed address with CONFIG_INVALID', async () => {
    const r = createIngesterRouter({ bind: 'tcp://not an address' })
    await expect(r.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    expect(r.state).toBe('closed')
  })

  it('fails on a port already in use', async () => {
    const first = createResultReceiver({ onBatch: () => {} })
    await first.start()
    const second = createResultReceiver({ bind: first.endpoint, onBatch: () => {} })
    await expect(second.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    await first.close()
  })

  it('refuses a worker name longer than a routing id can be', () => {
    expect(() =>
      createWorkerDealer({
        endpoint: nowhere,
        worker: WorkerName.parse('x'.repeat(256)),
        onBatch: () => {},
      }),
    ).toThrow(/255 bytes/)
  })
})
