import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { openSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { BeamloomError, type ErrorCode } from '../../errors.js'
import type { ModuleSpec } from '../load-analysis-module.js'
import { parseParameterDescriptions } from '../parameters.js'
import { MessageReader } from './host-channel.js'
import {
  type HostMessage,
  PythonHost,
  type PythonHostOptions,
  removeQuietly,
  STDERR_TAIL,
} from './python-host.js'
import { pythonPackageDir, sharedMemoryDir } from './python-paths.js'

/**
 * numpy's BLAS runs one thread per host unless the environment says otherwise: parallelism comes
 * from running several workers, and OpenBLAS's per-thread buffers under a small memory cap
 * (`RLIMIT_DATA`) make importing numpy crawl for minutes.
 */
const ONE_BLAS_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }

/**
 * Start the interpreter, load the module and read its parameter descriptions.
 * @throws BeamloomError `MODULE_NOT_FOUND` / `MODULE_INVALID` (one line naming file and line, as
 *   the host reports it), `CONFIG_INVALID` when the interpreter cannot be started.
 */
export async function startPythonHost(
  role: 'worker' | 'reducer',
  spec: ModuleSpec,
  options: PythonHostOptions,
): Promise<PythonHost> {
  const progressPath = join(
    sharedMemoryDir(tmpdir()),
    `beamloom-py-${process.pid}-${randomUUID()}.progress`,
  )
  writeFileSync(progressPath, Buffer.alloc(8), { mode: 0o600 })
  const args = [
    '-m',
    'beamloom.host',
    '--role',
    role,
    '--module',
    spec.path,
    '--class',
    spec.exportName,
  ]
  args.push('--progress', progressPath)
  if (Number.isFinite(options.limits.memoryMiB))
    args.push('--memory-mib', String(options.limits.memoryMiB))
  const pythonPath = [pythonPackageDir(), options.env?.PYTHONPATH, process.env.PYTHONPATH]
    .filter((p) => p)
    .join(':')
  const child = spawn(options.python, args, {
    env: {
      ...ONE_BLAS_THREAD,
      ...process.env,
      ...options.env,
      PYTHONPATH: pythonPath,
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
  })
  const reader = new MessageReader()
  let stderr = ''
  const onStderr = (d: Buffer): void => {
    stderr = (stderr + d.toString()).slice(-STDERR_TAIL)
  }
  let onError: (cause: Error) => void = () => {}
  let onExit: (code: number | null, signal: string | null) => void = () => {}
  let onData: (chunk: Buffer) => void = () => {}
  const output = child.stdio[4] as Readable
  const ready = new Promise<HostMessage>((resolve, reject) => {
    onError = (cause) =>
      reject(
        new BeamloomError(
          'CONFIG_INVALID',
          `cannot start the Python interpreter '${options.python}': ${cause.message}`,
          { cause },
        ),
      )
    onExit = (code, signal) =>
      reject(
        new BeamloomError(
          'MODULE_INVALID',
          `'${spec.spec}': the Python host exited (${signal ?? `code ${code}`}) before loading: ${stderr.trim()}`,
        ),
      )
    child.stderr?.on('data', onStderr)
    child.once('error', onError)
    child.once('exit', onExit)
    onData = (chunk: Buffer) => {
      try {
        const [first] = reader.push(chunk) as HostMessage[]
        if (first !== undefined) resolve(first)
      } catch (err) {
        reject(err)
      }
    }
    output.on('data', onData)
  })
  const timer = Number.isFinite(options.limits.lifecycleTimeoutMs)
    ? setTimeout(() => child.kill('SIGKILL'), options.limits.lifecycleTimeoutMs)
    : undefined
  let first: HostMessage
  try {
    first = await ready
  } catch (err) {
    child.kill('SIGKILL')
    removeQuietly(progressPath)
    throw err
  } finally {
    clearTimeout(timer)
    child.stderr?.off('data', onStderr)
    child.off('error', onError)
    child.off('exit', onExit)
    output.off('data', onData)
  }
  if (typeof first.error === 'string') {
    child.kill('SIGKILL')
    removeQuietly(progressPath)
    const code: ErrorCode =
      first.code === 'MODULE_NOT_FOUND' ? 'MODULE_NOT_FOUND' : 'MODULE_INVALID'
    throw new BeamloomError(code, `'${spec.spec}': ${first.error}`)
  }
  const parameters = parseParameterDescriptions(first.parameters ?? [], spec.spec)
  // In the same tick as the listener above went: no reply can fall between the two.
  // The host has the progress file mapped: keep a descriptor and remove the path, so nothing is
  // left on /dev/shm whatever happens to either process.
  const progressFd = openSync(progressPath, 'r')
  removeQuietly(progressPath)
  return new PythonHost(child, progressFd, options.log, parameters, reader)
}
