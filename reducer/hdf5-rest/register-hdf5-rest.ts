import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { valueBytes, valueJson } from './encode-value.js'
import { type FlatNumbers, gather } from './gather.js'
import { h5Id, parseH5Id } from './h5-id.js'
import {
  attributeJson,
  attributeWithValueText,
  datasetJson,
  groupJson,
  linkJson,
  type Times,
} from './h5-json.js'
import { elementBytes } from './h5-type.js'
import {
  groupMember,
  groupMembers,
  type LocatedNode,
  locate,
  nodeAttributes,
} from './publish-tree.js'
import { parseSelection } from './selection.js'

const gzipAsync = promisify(gzip)

/** Replies larger than this many bytes are gzipped when the client accepts gzip. */
export const GZIP_MIN_BYTES = 1024

/** What the HDF5-REST routes read: the live `publish` tree. */
export interface Hdf5RestView {
  readonly publish: unknown
}

type Collection = 'groups' | 'datasets'
type IdParams = { id: string }
type NamedParams = { id: string; name: string }

/**
 * Serve `view.publish` as the HDF5-REST subset that h5pyd, silx and h5web read, at the root of
 * `app` (Dranspose mounts it there too): `GET /`, `/groups/{id}`, `/groups/{id}/links`,
 * `/groups/{id}/links/{name}`, `/datasets/{id}`, `/datasets/{id}/shape`, `/datasets/{id}/type`,
 * `/datasets/{id}/value?select=[a:b:s,…]`, and `/{groups|datasets}/{id}/attributes[/{name}]`.
 * See docs/results-api.md for the mapping of `publish` to groups, datasets and attributes.
 *
 * Every reply is built in one synchronous step from the tree as it is at that moment (values
 * are copied), so a reader never sees an array half-updated by `processResult`; compressing
 * and sending happen afterwards, off the copy. Unknown ids → 404, bad selections → 400, each
 * with a message.
 */
export function registerHdf5Rest(app: FastifyInstance, view: Hdf5RestView): void {
  const created = Date.now() / 1000
  const times = (): Times => ({ created, lastModified: Date.now() / 1000 })

  app.get('/', (_req, reply) =>
    reply.send({ root: h5Id('groups', []), owner: 'beamloom', class: 'domain', ...times() }),
  )

  app.get<{ Params: IdParams }>('/groups/:id', (req, reply) => {
    const at = find(view, req.params.id, 'groups', reply)
    if (at === undefined || at.node.type !== 'group') return reply
    return reply.send(groupJson(at, at.node.value, times()))
  })

  app.get<{ Params: IdParams; Querystring: { Limit?: string; Marker?: string } }>(
    '/groups/:id/links',
    (req, reply) => {
      const at = find(view, req.params.id, 'groups', reply)
      if (at === undefined || at.node.type !== 'group') return reply
      const t = times()
      let members = groupMembers(at.node.value)
      const marker = req.query.Marker
      if (marker !== undefined) {
        const i = members.findIndex(([name]) => name === marker)
        members = i < 0 ? [] : members.slice(i + 1)
      }
      const limit = Number(req.query.Limit)
      if (Number.isInteger(limit) && limit > 0) members = members.slice(0, limit)
      return reply.send({
        links: members.map(([name, node]) => linkJson(at.path, name, node, t)),
      })
    },
  )

  app.get<{ Params: NamedParams }>('/groups/:id/links/:name', (req, reply) => {
    const at = find(view, req.params.id, 'groups', reply)
    if (at === undefined || at.node.type !== 'group') return reply
    const { name } = req.params
    const node = groupMember(at.node.value, name)
    if (node === undefined)
      return notFound(reply, `no link '${name}' in group ${pathText(at.path)}`)
    return reply.send({ link: linkJson(at.path, name, node, times()) })
  })

  app.get<{ Params: IdParams }>('/datasets/:id', (req, reply) => {
    const at = find(view, req.params.id, 'datasets', reply)
    if (at === undefined || at.node.type !== 'dataset') return reply
    return reply.send(datasetJson(at, at.node.layout, times()))
  })

  app.get<{ Params: IdParams }>('/datasets/:id/shape', (req, reply) => {
    const at = find(view, req.params.id, 'datasets', reply)
    if (at === undefined || at.node.type !== 'dataset') return reply
    const { shape, created: c, lastModified } = datasetJson(at, at.node.layout, times())
    return reply.send({ shape, created: c, lastModified })
  })

  app.get<{ Params: IdParams }>('/datasets/:id/type', (req, reply) => {
    const at = find(view, req.params.id, 'datasets', reply)
    if (at === undefined || at.node.type !== 'dataset') return reply
    return reply.send({ type: datasetJson(at, at.node.layout, times()).type })
  })

  app.get<{ Params: IdParams; Querystring: { select?: string } }>(
    '/datasets/:id/value',
    async (req, reply) => {
      const body = valueReply(view, req, reply)
      if (body === undefined) return reply
      const gzipped = wantsGzip(req) && body.length > GZIP_MIN_BYTES
      if (gzipped) reply.header('content-encoding', 'gzip')
      // The body is our own copy already: compressing it later cannot see newer data.
      return reply.send(gzipped ? await gzipAsync(body) : body)
    },
  )

  for (const collection of ['groups', 'datasets'] as const) {
    app.get<{ Params: IdParams; Querystring: { IncludeData?: string } }>(
      `/${collection}/:id/attributes`,
      (req, reply) => {
        const at = find(view, req.params.id, collection, reply)
        if (at === undefined) return reply
        const t = times()
        const include = isTruthy(req.query.IncludeData)
        const items = nodeAttributes(at).map((a) =>
          include ? attributeWithValueText(a, t) : JSON.stringify(attributeJson(a, t)),
        )
        return reply.type('application/json').send(`{"attributes":[${items.join(',')}]}`)
      },
    )
    app.get<{ Params: NamedParams }>(`/${collection}/:id/attributes/:name`, (req, reply) => {
      const at = find(view, req.params.id, collection, reply)
      if (at === undefined) return reply
      const attr = nodeAttributes(at).find((a) => a.name === req.params.name)
      if (attr === undefined) {
        return notFound(reply, `no attribute '${req.params.name}' on ${pathText(at.path)}`)
      }
      return reply.type('application/json').send(attributeWithValueText(attr, times()))
    })
  }
}

/** The value reply, built synchronously (the snapshot); `undefined` when an error was sent. */
function valueReply(
  view: Hdf5RestView,
  req: FastifyRequest<{ Params: IdParams; Querystring: { select?: string } }>,
  reply: FastifyReply,
): Buffer | undefined {
  const at = find(view, req.params.id, 'datasets', reply)
  if (at === undefined || at.node.type !== 'dataset') return undefined
  const { layout, value } = at.node
  const sel = parseSelection(req.query.select, layout.shape)
  if (!sel.ok) {
    void reply.code(400).send({ error: 'Bad Request', message: sel.message })
    return undefined
  }
  const g = gather(value, layout, sel.dims)
  const binary =
    (req.headers.accept ?? '').includes('application/octet-stream') &&
    elementBytes(layout.kind) !== undefined
  if (binary) {
    reply.type('application/octet-stream')
    return valueBytes(g.data as FlatNumbers)
  }
  reply.type('application/json')
  return Buffer.from(`{"value":${valueJson(g)}}`, 'utf8')
}

/**
 * Resolve an id of `collection` to its node; sends a 404 naming what is missing (and returns
 * `undefined`) for a malformed id, an id of the other collection, or a path with no such node.
 */
function find(
  view: Hdf5RestView,
  id: string,
  collection: Collection,
  reply: FastifyReply,
): LocatedNode | undefined {
  const ref = parseH5Id(id)
  if (ref === undefined) {
    notFound(reply, `'${id}' is not an id of this server (g-h5dict-… or d-h5dict-… + hex path)`)
    return undefined
  }
  const kind = collection === 'groups' ? 'group' : 'dataset'
  if (ref.collection !== collection) {
    notFound(
      reply,
      `${id} names ${pathText(ref.path)} as a ${ref.collection.slice(0, -1)}, not a ${kind}`,
    )
    return undefined
  }
  const located = locate(view.publish, ref.path)
  if (!located.found) {
    notFound(reply, `no '${located.missing}' in publish`)
    return undefined
  }
  if (located.at.node.type !== kind) {
    notFound(reply, `${pathText(ref.path)} is a ${located.at.node.type}, not a ${kind}`)
    return undefined
  }
  return located.at
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: 'Not Found', message })
}

function pathText(path: readonly string[]): string {
  return `/${path.join('/')}`
}

function wantsGzip(req: FastifyRequest): boolean {
  const header = req.headers['accept-encoding']
  return typeof header === 'string' && /\bgzip\b/i.test(header)
}

function isTruthy(text: string | undefined): boolean {
  return text !== undefined && /^(1|true|yes)$/i.test(text)
}
