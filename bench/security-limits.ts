// What the controller's request limits cost and save (docs/security.md, "What a large scan
// costs"): a real controller process (dist/, in-memory control plane) is sent the requests of
// issue 15 while its RSS is read from /proc. Run: npm run build && node dist/bench/security-limits.js
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const port = await freePort()
const child = spawn(process.execPath, ['bin/beamloom.js', 'controller', '--port', String(port)], {
  cwd: root,
  stdio: 'ignore',
})
const rssMiB = (): number => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}
const base = `http://127.0.0.1:${port}`
for (let i = 0; i < 300; i++) {
  const up = await fetch(`${base}/health/live`).then(
    (r) => r.ok,
    () => false,
  )
  if (up) break
  await new Promise((r) => setTimeout(r, 100))
}
console.log(`controller RSS at rest: ${rssMiB().toFixed(0)} MiB`)

async function post(label: string, path: string, body: string | Buffer, type: string) {
  const t0 = performance.now()
  const status = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  }).then(
    (r) => String(r.status),
    (e: unknown) =>
      `connection closed early (${String((e as { cause?: { code?: string } }).cause?.code)})`,
  )
  const ms = (performance.now() - t0).toFixed(0)
  console.log(`${label}: ${status} in ${ms} ms; controller RSS ${rssMiB().toFixed(0)} MiB`)
}

const entries = Array.from(
  { length: 1_700_000 },
  (_, i) => `[{"tags":["generic"],"constraint":${i}}]`,
).join(',')
const map = `{"eiger":[${entries}]}`
await post(
  `a ${(map.length / 1e6).toFixed(0)} MB map of 1.7 M events`,
  '/api/v1/mapping',
  map,
  'application/json',
)
await post(
  'sardana_hook with nb_points 30 000 000',
  '/api/v1/sardana_hook',
  JSON.stringify({ streams: ['eiger'], scan: { nb_points: 30_000_000 } }),
  'application/json',
)
await post(
  'a 50 MiB parameter',
  '/api/v1/parameter/x',
  Buffer.alloc(50 * 1024 * 1024),
  'application/octet-stream',
)
const health = await fetch(`${base}/health/live`)
console.log(`health afterwards: ${health.status}`)
child.kill('SIGTERM')
