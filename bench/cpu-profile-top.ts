/**
 * Summarise `node --cpu-prof` profiles: the functions with the most self time.
 *
 *   node dist/bench/cpu-profile-top.js <file.cpuprofile | dir> [--top=25]
 *
 * For each profile prints the busy time (everything but `(idle)`), and the top functions by
 * self time with their share of the busy time. A directory summarises every `.cpuprofile`
 * in it. Used to find what bounds the end-to-end cases (see BENCHMARKS.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}
interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
  readonly startTime: number
  readonly endTime: number
}

/** Self time per function (name, file, line), µs, with the profile's busy time. */
export function selfTimes(profile: Profile): { busyUs: number; rows: [string, number][] } {
  const nameOf = new Map<number, string>()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const file =
      url === ''
        ? ''
        : ` ${url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`
    nameOf.set(node.id, `${functionName || '(anonymous)'}${file}`)
  }
  const totals = new Map<string, number>()
  let busyUs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute it to sample i's node.
    const us = profile.timeDeltas[i] ?? 0
    const name = nameOf.get(profile.samples[i] ?? -1) ?? '?'
    totals.set(name, (totals.get(name) ?? 0) + us)
    if (name !== '(idle)') busyUs += us
  }
  const rows = [...totals].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1])
  return { busyUs, rows }
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const { busyUs, rows } = selfTimes(profile)
  const wallUs = profile.endTime - profile.startTime
  console.log(
    `\n${path.basename(file)}: busy ${(busyUs / 1e6).toFixed(2)} s of ${(wallUs / 1e6).toFixed(2)} s`,
  )
  for (const [name, us] of rows.slice(0, top)) {
    const share = ((us / busyUs) * 100).toFixed(1).padStart(5)
    console.log(`${share}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`)
  }
}

const target = process.argv[2]
if (target === undefined) {
  console.error('usage: cpu-profile-top <file.cpuprofile | dir> [--top=25]')
  process.exit(2)
}
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25)
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .map((f) => path.join(target, f))
  : [target]
for (const file of files) summarise(file, top)
