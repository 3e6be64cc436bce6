import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { repoPath } from './fixtures.js'

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A `beamloom` child process with its output kept for failure messages. */
export interface Child {
  readonly name: string
  readonly process: ChildProcess
  output(): string
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>
}

/** Spawn `node bin/beamloom.js <args>` with `env` added to this process's env. */
export function spawnBeamloom(name: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [repoPath('bin/beamloom.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1))
  })
  return { name, process: child, output: () => out, exited }
}

/** Stop children: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAll(children: readonly Child[], graceMs = 5000): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return
      c.process.kill('SIGTERM')
      const timer = setTimeout(() => c.process.kill('SIGKILL'), graceMs)
      await c.exited
      clearTimeout(timer)
    }),
  )
}
