import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildReducerApp, ReducerMetrics } from '../../../reducer/index.js'

const H5WEB = 'https://h5web.example.org'
const ROOT_LINKS = '/groups/g-h5dict-2F/links?domain=%2F'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function serve(corsOrigins?: readonly string[]): Promise<FastifyInstance> {
  app = buildReducerApp({
    publish: { map: { grid: [1, 2, 3] } },
    ready: true,
    state: 'running',
    metrics: new ReducerMetrics(() => 0),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
    status: () => ({
      name: 'cors',
      state: 'running',
      ready: true,
      module: 'm.ts:M',
      queueDepth: 0,
      parametersVersion: 0,
      scan: null,
    }),
  })
  await app.ready()
  return app
}

/** The preflight h5web's HSDS provider causes: a GET with an Authorization header (basic auth). */
function preflight(a: FastifyInstance, origin: string) {
  return a.inject({
    method: 'OPTIONS',
    url: ROOT_LINKS,
    headers: {
      origin,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    },
  })
}

describe('reducer HTTP API across origins (CORS)', () => {
  it('without configured origins, answers no cross-origin read', async () => {
    const a = await serve()
    const res = await a.inject({ method: 'GET', url: ROOT_LINKS, headers: { origin: H5WEB } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect((await preflight(a, H5WEB)).headers['access-control-allow-origin']).toBeUndefined()
  })

  it('lets the configured origin read, after a preflight, and no other', async () => {
    const a = await serve([H5WEB])
    const pre = await preflight(a, H5WEB)
    expect(pre.statusCode).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe(H5WEB)
    expect(String(pre.headers['access-control-allow-methods'])).toMatch(/GET/)
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization/i)
    const res = await a.inject({ method: 'GET', url: ROOT_LINKS, headers: { origin: H5WEB } })
    expect(res.headers['access-control-allow-origin']).toBe(H5WEB)
    expect(res.json().links.map((l: { title: string }) => l.title)).toEqual(['map'])
    const other = await a.inject({
      method: 'GET',
      url: ROOT_LINKS,
      headers: { origin: 'https://evil.example.org' },
    })
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    // Writing stays same-origin: the preflight of a POST does not allow it.
    const post = await a.inject({
      method: 'OPTIONS',
      url: '/api/v1/h5',
      headers: { origin: H5WEB, 'access-control-request-method': 'POST' },
    })
    expect(String(post.headers['access-control-allow-methods'] ?? '')).not.toMatch(/POST/)
  })

  it("'*' lets any origin read", async () => {
    const a = await serve(['*'])
    const res = await a.inject({
      method: 'GET',
      url: '/api/v1/result/map/grid',
      headers: { origin: 'http://localhost:5173' },
    })
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.json()).toEqual([1, 2, 3])
  })
})
