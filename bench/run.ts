/**
 * `npm run bench [-- --quick]`: runs every benchmark script in its own process, one after the
 * other, and prints what each measured. Each script measures its own reference in the same run
 * (see its header). `--quick` passes on to the scripts that take it and uses smaller sizes.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const quick = process.argv.includes('--quick')
const here = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url))

const cases: { title: string; script: string; args: string[] }[] = [
  {
    title:
      'assignment: trigger-map assignment alone (uniform sequence, 10 workers, credits of 100)',
    script: 'mapping.js',
    args: quick ? ['100000', '1000000'] : [],
  },
  {
    title: 'raw zmq between two processes (the reference for the data plane), and the batch codecs',
    script: 'raw-zmq.js',
    args: quick ? ['--quick'] : [],
  },
  {
    title: 'recording read: memory and rate of reading a large .cbors',
    script: 'recording-memory.js',
    args: [quick ? '100' : '300'],
  },
]

let failed = 0
for (const c of cases) {
  process.stdout.write(`\n== ${c.title}\n`)
  const run = spawnSync(process.execPath, [here(c.script), ...c.args], { stdio: 'inherit' })
  if (run.status !== 0) {
    failed++
    process.stdout.write(`(${c.script} exited with ${run.status ?? run.signal})\n`)
  }
}
process.exitCode = failed === 0 ? 0 : 1
