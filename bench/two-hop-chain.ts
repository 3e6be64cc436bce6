/**
 * The process plumbing of the two-hop benchmarks (issue 14): a simulator, a forwarder and a
 * sink, each a child process of the bench script, started in that order and connected through
 * the endpoints they report; and the rows they report (`bench-report.ts`). What each role runs
 * is the script's business: it forks itself with `--role=<name> <count> <endpoint or bytes>`.
 * No zmq here, so a role loads only the sockets it uses.
 */
import { fork } from 'node:child_process'
import { type BenchRow, median } from './bench-report.js'
import { messagesOf } from './child-messages.js'
import type { ProbeReading } from './gc-probe.js'

const MIB = 1 << 20

/** What one run measured: sink throughput, and forwarder and sink CPU/GC. */
export interface HopFigures {
  readonly seconds: number
  readonly messages: number
  readonly forwarder: ProbeReading
  readonly sink: ProbeReading
}

/** What a role process tells the bench script. */
export type ChildMessage =
  | { kind: 'endpoint'; endpoint: string }
  | { kind: 'done'; seconds: number; messages: number; probe: ProbeReading }
  | { kind: 'probe'; probe: ProbeReading }

const next = messagesOf<ChildMessage>()

/** For a role process: send `message` to the bench script. */
export function tell(message: ChildMessage): void {
  process.send?.(message)
}

/** The role names a chain forks (`--role=` values its script understands). */
export interface ChainRoles {
  readonly simulator: string
  readonly forwarder: string
  readonly sink: string
}

/**
 * One run of `count` messages of `bytes` bytes: forks `script` as simulator, forwarder and
 * sink (in that order, each connecting to the endpoint the one before reported), waits for the
 * sink's and forwarder's figures, then stops all three. Rejects when a child exits early.
 */
export async function runTwoHop(
  script: string,
  roles: ChainRoles,
  count: number,
  bytes: number,
): Promise<HopFigures> {
  const sim = fork(script, [`--role=${roles.simulator}`, String(count), String(bytes)])
  const simAt = await next(sim, 'endpoint')
  const fwd = fork(script, [`--role=${roles.forwarder}`, String(count), simAt.endpoint])
  const fwdAt = await next(fwd, 'endpoint')
  const fwdProbe = next(fwd, 'probe')
  const snk = fork(script, [`--role=${roles.sink}`, String(count), fwdAt.endpoint])
  const done = await next(snk, 'done')
  const forwarded = await fwdProbe
  const exits = [sim, fwd, snk].map((c) =>
    c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve(),
  )
  sim.send('stop')
  fwd.send('stop')
  await Promise.all(exits)
  return {
    seconds: done.seconds,
    messages: done.messages,
    forwarder: forwarded.probe,
    sink: done.probe,
  }
}

/** The sink's GB/s of one run (first to last message). */
export function gigabytesPerSecond(run: HopFigures, mib: number): number {
  return (run.messages * mib * MIB) / run.seconds / 1e9
}

/** How {@link hopRows} names and links its rows. */
export interface HopRowsOptions {
  readonly case: string
  /** What the GB/s row calls the chain, e.g. `bare PUSH→PULL→PUSH→PULL`. */
  readonly chain: string
  /** Appended to the forwarder and sink rows' metric (`, zeromq.js`); default none. */
  readonly suffix?: string
  /** Row ids: `<prefix>-<mib>` for GB/s, `<prefix>-<what>-<mib>` for the others. */
  readonly idPrefix: string
  /** Each row refers to the row of the same kind under this prefix (the ratio is this / that). */
  readonly referencePrefix?: string
  /** The sink's GC share as a row of its own (else in the forwarder GC row's `extra`). */
  readonly sinkGcRow?: boolean
}

/**
 * Rows for one payload size: GB/s, and per process CPU ms per MiB (its kernel part and page
 * faults per MiB in `extra`) and GC pauses as a share of event-loop busy time (their ms per MiB
 * in `extra`: the share alone overstates GC where the busy time is small, as with zeromq.js,
 * whose I/O thread does the socket work).
 */
export function hopRows(mib: number, runs: readonly HopFigures[], o: HopRowsOptions): BenchRow[] {
  type Role = 'forwarder' | 'sink'
  /** One figure of a role's probe per MiB, per run. */
  const perMiB = (role: Role, of: keyof ProbeReading): number[] =>
    runs.map((r) => r[role][of] / (r.messages * mib))
  const gcShare = (role: Role): number[] =>
    runs.map((r) => (r[role].gcMs / Math.max(r[role].busyMs, 1e-3)) * 100)
  const suffix = o.suffix ?? ''
  const ids = (what: string): { id: string; referenceId?: string } => {
    const key = what === '' ? `${mib}` : `${what}-${mib}`
    return {
      id: `${o.idPrefix}-${key}`,
      ...(o.referencePrefix === undefined ? {} : { referenceId: `${o.referencePrefix}-${key}` }),
    }
  }
  const cpuRow = (role: Role): BenchRow => ({
    case: o.case,
    metric: `${mib} MiB, ${role} CPU${suffix}`,
    unit: 'ms/MiB',
    samples: perMiB(role, 'cpuMs'),
    ...ids(`${role}-cpu`),
    extra: {
      systemMsPerMiB: median(perMiB(role, 'systemMs')),
      minorFaultsPerMiB: median(perMiB(role, 'minorFaults')),
    },
  })
  const gcRow = (role: Role, extra: Record<string, unknown> = {}): BenchRow => ({
    case: o.case,
    metric: `${mib} MiB, ${role} GC of busy time${suffix}`,
    unit: '%',
    samples: gcShare(role),
    ...ids(`${role}-gc`),
    extra: { gcMsPerMiB: median(perMiB(role, 'gcMs')), ...extra },
  })
  const rows: BenchRow[] = [
    {
      case: o.case,
      metric: `${mib} MiB frames, ${o.chain}`,
      unit: 'GB/s',
      samples: runs.map((r) => gigabytesPerSecond(r, mib)),
      ...ids(''),
    },
    cpuRow('forwarder'),
    cpuRow('sink'),
  ]
  if (o.sinkGcRow) rows.push(gcRow('forwarder'), gcRow('sink'))
  else rows.push(gcRow('forwarder', { sinkGcPercent: median(gcShare('sink')) }))
  return rows
}
