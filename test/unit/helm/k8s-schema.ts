import * as k8s from '@kubernetes/client-node'
import type { RenderedObject } from '../../harness/helm-render.js'

/**
 * Validation of rendered objects against the Kubernetes API types, as generated from the
 * Kubernetes OpenAPI spec into @kubernetes/client-node's models (`attributeTypeMap` of each
 * model: every field's wire name and type). An unknown field (a typo such as `readinesProbe`),
 * a wrong type, or a missing required field is reported with its path.
 */

/** The API version and model of each kind the chart may render. */
const KINDS: Readonly<Record<string, { apiVersion: string; model: string }>> = {
  Deployment: { apiVersion: 'apps/v1', model: 'V1Deployment' },
  StatefulSet: { apiVersion: 'apps/v1', model: 'V1StatefulSet' },
  Service: { apiVersion: 'v1', model: 'V1Service' },
  ConfigMap: { apiVersion: 'v1', model: 'V1ConfigMap' },
  Secret: { apiVersion: 'v1', model: 'V1Secret' },
  ServiceAccount: { apiVersion: 'v1', model: 'V1ServiceAccount' },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', model: 'V1Role' },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', model: 'V1RoleBinding' },
  Ingress: { apiVersion: 'networking.k8s.io/v1', model: 'V1Ingress' },
}

/**
 * Required fields of the models the chart uses (the `required` lists of the Kubernetes
 * OpenAPI definitions; the generated models do not keep them at run time).
 */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  V1Deployment: ['metadata', 'spec'],
  V1StatefulSet: ['metadata', 'spec'],
  V1DeploymentSpec: ['selector', 'template'],
  V1StatefulSetSpec: ['selector', 'template'],
  V1PodSpec: ['containers'],
  V1Container: ['name', 'image'],
  V1ContainerPort: ['containerPort'],
  V1EnvVar: ['name'],
  V1ObjectFieldSelector: ['fieldPath'],
  V1SecretKeySelector: ['key', 'name'],
  V1HTTPGetAction: ['port'],
  V1TCPSocketAction: ['port'],
  V1ServicePort: ['port'],
  V1PolicyRule: ['verbs'],
  V1RoleRef: ['apiGroup', 'kind', 'name'],
  V1Subject: ['kind', 'name'],
  V1HTTPIngressRuleValue: ['paths'],
  V1HTTPIngressPath: ['backend', 'pathType'],
  V1IngressServiceBackend: ['name'],
  V1Toleration: [],
  V1PersistentVolumeClaim: [],
}

/** Fields holding maps of resource quantities. */
const QUANTITY_MAPS = new Set(['V1ResourceRequirements.limits', 'V1ResourceRequirements.requests'])
const QUANTITY_MAP = '{ [key: string]: IntOrString; }'

interface Attribute {
  readonly baseName: string
  readonly type: string
  readonly format: string
}

function attributesOf(model: string): readonly Attribute[] | undefined {
  const cls: unknown = (k8s as Record<string, unknown>)[model]
  if (typeof cls !== 'function' || !('getAttributeTypeMap' in cls)) return undefined
  const get = cls.getAttributeTypeMap
  return typeof get === 'function' ? (get.call(cls) as Attribute[]) : undefined
}

function checkValue(value: unknown, type: string, format: string, path: string, out: string[]) {
  if (value === null || value === undefined) return
  const array = /^Array<(.+)>$/.exec(type)
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (array) {
    if (!Array.isArray(value)) out.push(`${path}: expected a list`)
    else {
      for (const [i, v] of value.entries())
        checkValue(v, array[1] ?? 'any', '', `${path}[${i}]`, out)
    }
  } else if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) out.push(`${path}: expected a map`)
    else {
      for (const [k, v] of Object.entries(value))
        checkValue(v, map[1] ?? 'any', '', `${path}.${k}`, out)
    }
  } else if (type === 'string' || type === 'Date') {
    if (typeof value !== 'string')
      out.push(`${path}: expected a string, got ${JSON.stringify(value)}`)
  } else if (type === 'number') {
    if (typeof value !== 'number')
      out.push(`${path}: expected a number, got ${JSON.stringify(value)}`)
    else if (format.startsWith('int') && !Number.isInteger(value))
      out.push(`${path}: expected an integer`)
  } else if (type === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`)
  } else if (type === 'IntOrString') {
    if (typeof value !== 'string' && typeof value !== 'number') {
      out.push(`${path}: expected an int or a string`)
    }
  } else if (type === 'any' || type === 'object') {
    // Free-form in the API (e.g. RawExtension): anything goes.
  } else {
    checkModel(value, type, path, out)
  }
}

function checkModel(value: unknown, model: string, path: string, out: string[]): void {
  const attributes = attributesOf(model)
  if (attributes === undefined) {
    out.push(`${path}: no model ${model} in @kubernetes/client-node`)
    return
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected an object (${model})`)
    return
  }
  const byName = new Map(attributes.map((a) => [a.baseName, a]))
  for (const [key, v] of Object.entries(value)) {
    const attribute = byName.get(key)
    if (attribute === undefined) out.push(`${path}.${key}: unknown field of ${model}`)
    else {
      // Quantities are strings in the generated models, but the API takes numbers too (`cpu: 1`).
      const type = QUANTITY_MAPS.has(`${model}.${key}`) ? QUANTITY_MAP : attribute.type
      checkValue(v, type, attribute.format, `${path}.${key}`, out)
    }
  }
  for (const key of REQUIRED[model] ?? []) {
    if ((value as Record<string, unknown>)[key] === undefined) {
      out.push(`${path}.${key}: required by ${model}`)
    }
  }
}

/**
 * The problems of one rendered object against the Kubernetes API types (empty: valid).
 * Also checks the kind is one the chart may render with its API version, and metadata.name.
 */
export function validateObject(object: RenderedObject): string[] {
  const where = `${object.kind}/${object.metadata?.name}`
  const kind = KINDS[object.kind]
  if (kind === undefined) return [`${where}: kind ${object.kind} is not expected in this chart`]
  const out: string[] = []
  if (object.apiVersion !== kind.apiVersion) {
    out.push(`${where}: apiVersion ${object.apiVersion}, expected ${kind.apiVersion}`)
  }
  const name = object.metadata?.name
  if (
    typeof name !== 'string' ||
    !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) ||
    name.length > 253
  ) {
    out.push(`${where}: metadata.name is not a DNS subdomain`)
  }
  checkModel(object, kind.model, where, out)
  return out
}
