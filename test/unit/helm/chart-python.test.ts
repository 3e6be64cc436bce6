import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'
import { isPythonModule, parseModuleSpec } from '../../../src/internal.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'
import { CHART_DIR, renderChart, runHelm } from '../../harness/helm-render.js'
import { checkRendering } from './check-rendering.js'
import { resolveEnv } from './process-env.js'
import { type Container, find, type Workload } from './rendered.js'

// The chart with Python analyses (`module.py:Class`): what the processes read from the
// rendered env names a Python class, the worker pods get a memory-backed /dev/shm when
// `shmSizeLimit` is set, and the install notes say what the image needs.

const COMMAND: string[] = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')).command
const WORKER = '/analysis/xrf.py:FluorescenceMapWorker'
const REDUCER = '/analysis/xrf.py:FluorescenceMapReducer'
const SET = [
  `workers.module=${WORKER}`,
  `reducer.module=${REDUCER}`,
  'workers.shmSizeLimit=1Gi',
  'extraWorkerPools[0].name=big',
  'extraWorkerPools[0].tags[0]=big',
  'extraWorkerPools[0].shmSizeLimit=4Gi',
]

interface ShmPod {
  volumes?: { name: string; emptyDir?: { medium?: string; sizeLimit?: string } }[]
  containers: (Container & { volumeMounts?: { name: string; mountPath: string }[] })[]
}

function podOf(w: Workload): ShmPod {
  return w.spec.template.spec as unknown as ShmPod
}

function envOf(w: Workload): Record<string, string> {
  return resolveEnv((w.spec.template.spec.containers[0] as Container).env ?? [])
}

const DATA_PLANE_KEY_VOLUME = {
  name: 'data-plane-key',
  secret: {
    secretName: 'bl-beamloom-data-plane',
    defaultMode: 0o400,
    items: [{ key: 'data-plane.key', path: 'data-plane.key' }],
  },
}
const DATA_PLANE_KEY_MOUNT = {
  name: 'data-plane-key',
  mountPath: '/etc/beamloom/data-plane',
  readOnly: true,
}

describe('helm chart with Python analyses', () => {
  const objects = renderChart({ release: 'bl', namespace: 'beamline', set: SET })

  it('passes the Kubernetes, env, probe and service checks', async () => {
    await checkRendering(objects, COMMAND)
  })

  it('the worker pools and the reducer read a .py module from their env', () => {
    for (const name of ['bl-beamloom-worker', 'bl-beamloom-worker-big']) {
      const { worker } = parseWorkerEnv(envOf(find<Workload>(objects, 'Deployment', name)))
      expect(worker.workerModule).toBe(WORKER)
      expect(isPythonModule(parseModuleSpec(worker.workerModule))).toBe(true)
    }
    const reducer = find<Workload>(objects, 'Deployment', 'bl-beamloom-reducer')
    const { reducerModule } = parseReducerEnv(envOf(reducer)).reducer
    expect(reducerModule).toBe(REDUCER)
    expect(isPythonModule(parseModuleSpec(reducerModule))).toBe(true)
  })

  it('a memory-backed /dev/shm of shmSizeLimit in each worker pod', () => {
    for (const [name, size] of [
      ['bl-beamloom-worker', '1Gi'],
      ['bl-beamloom-worker-big', '4Gi'],
    ] as const) {
      const pod = podOf(find<Workload>(objects, 'Deployment', name))
      expect(pod.volumes).toEqual([
        { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: size } },
        DATA_PLANE_KEY_VOLUME,
      ])
      expect(pod.containers[0]?.volumeMounts).toEqual([
        { name: 'shm', mountPath: '/dev/shm' },
        DATA_PLANE_KEY_MOUNT,
      ])
    }
    const defaults = renderChart({ release: 'bl', namespace: 'beamline' })
    const pod = podOf(find<Workload>(defaults, 'Deployment', 'bl-beamloom-worker'))
    expect(pod.volumes).toEqual([DATA_PLANE_KEY_VOLUME])
    expect(pod.containers[0]?.volumeMounts).toEqual([DATA_PLANE_KEY_MOUNT])
  })

  it('a size that is not a quantity is refused by the values schema', () => {
    expect(() =>
      renderChart({ set: [`workers.module=${WORKER}`, 'workers.shmSizeLimit=lots'] }),
    ).toThrow(/shmSizeLimit/)
  })

  it('the install notes name the Python analyses and what the image needs', () => {
    const install = (set: string[]) =>
      runHelm(['install', 'bl', CHART_DIR, '--namespace', 'beamline', '--dry-run=client', ...set])
    const notes = install(SET.flatMap((s) => ['--set', s]))
    expect(notes).toContain(`bl-beamloom-worker (${WORKER})`)
    expect(notes).toContain(`reducer (${REDUCER})`)
    expect(notes).toMatch(/python3-numpy and python3-cbor2/)
    expect(notes).toMatch(/workers\.shmSizeLimit/)
    expect(install([])).not.toMatch(/Python analyses/)
  })
})
