import Fastify, { type FastifyInstance } from 'fastify'
import { type Browser, chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { buildReducerApp, ReducerMetrics } from '../../reducer/index.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * A page of another origin reading a reducer's HDF5-REST as h5web's HSDS provider does
 * (hsds-api.ts): every request with the `domain` parameter and basic-auth credentials (an
 * `Authorization` header, so the browser sends a preflight), the root id from `/`, links,
 * the dataset, its JSON value parsed with h5web's fallback for `NaN` and the infinities, and
 * numeric values made a typed array. It writes what it read, or the error, into the page.
 */
const H5WEB_LIKE_PAGE = `<!doctype html><html><body><pre id="out">reading</pre><script type="module">
const base = new URLSearchParams(location.search).get('api')
const headers = { authorization: 'Basic ' + btoa('user:password') }
function parse(text) {
  try { return JSON.parse(text) } catch {
    return JSON.parse(text.replaceAll(/(NaN|-?Infinity)/gu, '"$&"'))
  }
}
async function get(path, params = {}) {
  const url = new URL(path, base)
  url.searchParams.set('domain', '/')
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const res = await fetch(url, { headers })
  if (!res.ok) throw new Error(path + ': HTTP ' + res.status)
  return parse(await res.text())
}
try {
  const { root } = await get('/')
  const { links } = await get('/groups/' + root + '/links')
  const map = links.find((l) => l.title === 'map')
  const { links: inMap } = await get('/groups/' + map.id + '/links')
  const grid = inMap.find((l) => l.title === 'grid')
  const dataset = await get('/datasets/' + grid.id)
  const { value } = await get('/datasets/' + grid.id + '/value', { select: '[0:2,0:3]' })
  const flat = Float64Array.from(value.flat())
  document.getElementById('out').textContent = JSON.stringify({
    type: dataset.type.base,
    dims: dataset.shape.dims,
    value: Array.from(flat, (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v)),
  })
} catch (err) {
  document.getElementById('out').textContent = 'error: ' + err
}
</script></body></html>`

const servers: FastifyInstance[] = []
let browser: Browser | undefined
afterEach(async () => {
  await browser?.close()
  browser = undefined
  for (const s of servers.splice(0)) await s.close()
})

async function listen(app: FastifyInstance): Promise<number> {
  servers.push(app)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (typeof address !== 'object' || address === null) throw new Error('no port')
  return address.port
}

/** A reducer API on 127.0.0.1 serving a small map with NaN and infinity. */
async function reducerApi(corsOrigins: readonly string[]): Promise<string> {
  const app = buildReducerApp({
    publish: {
      map: {
        grid: [
          [1, Number.NaN, 3],
          [4, 5, Number.POSITIVE_INFINITY],
        ],
      },
    },
    ready: true,
    state: 'running',
    metrics: new ReducerMetrics(() => 0),
    corsOrigins,
    status: () => ({
      name: 'cross-origin',
      state: 'running',
      ready: true,
      module: 'm.ts:M',
      queueDepth: 0,
      parametersVersion: 0,
      scan: null,
    }),
  })
  return `http://127.0.0.1:${await listen(app)}`
}

/** The page's own server: another origin (`localhost`, another port). */
async function pageOrigin(): Promise<string> {
  const app = Fastify()
  app.get('/h5web-like.html', (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(H5WEB_LIKE_PAGE),
  )
  return `http://localhost:${await listen(app)}`
}

async function readFromPage(page: string, api: string): Promise<string> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  const tab = await browser.newPage()
  await tab.goto(`${page}/h5web-like.html?api=${encodeURIComponent(api)}`)
  // Done when the page wrote what it read, or the error.
  await expect.poll(() => tab.locator('#out').textContent()).toMatch(/^(\{|error: )/)
  return (await tab.locator('#out').textContent()) ?? ''
}

describe('HDF5-REST read from a page of another origin (h5web served elsewhere)', () => {
  it('reads groups, types and values, NaN and infinity included, when the origin is allowed', async () => {
    const page = await pageOrigin()
    const api = await reducerApi([page])
    const out = await readFromPage(page, api)
    expect(JSON.parse(out)).toEqual({
      type: 'H5T_IEEE_F64LE',
      dims: [2, 3],
      value: [1, 'NaN', 3, 4, 5, 'Infinity'],
    })
  })

  it('is refused by the browser when the reducer does not allow the origin', async () => {
    const page = await pageOrigin()
    const api = await reducerApi(['https://h5web.example.org'])
    expect(await readFromPage(page, api)).toMatch(/^error: TypeError: Failed to fetch/)
  })
})
