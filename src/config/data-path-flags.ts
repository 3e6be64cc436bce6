/**
 * Node flags for the processes that move detector frames (workers and ingesters). V8 takes them
 * only on the `node` command line, so whoever starts such a process passes them: the Helm chart
 * (`dataPathNodeFlags`, the same list by default), the systemd example in docs/deployment.md and
 * the bench's live cluster.
 *
 * `--single-threaded-gc`: V8 collects without helper threads, which on busy cores compete with
 * the process's own work; with 1 MiB frames on two cores, 25–30 % less CPU per MiB and 35–40 %
 * more throughput (BENCHMARKS.md, "`--single-threaded-gc`").
 */
export const DATA_PATH_NODE_FLAGS: readonly string[] = ['--single-threaded-gc']

/**
 * Environment for the same processes: glibc's allocator settings, read once when the process
 * starts (so, like the node flags, whoever starts it sets them: the chart's `dataPathEnv`, the
 * systemd example, the bench's live cluster). Other C libraries ignore them.
 *
 * By default glibc gives each allocation of 128 KiB or more (a threshold raised as such blocks
 * are freed) pages of its own and returns them to the kernel when freed, and gives back the top
 * of its heap once 128 KiB (then twice the raised threshold) are free there. A frame-sized buffer
 * each event (a received frame, the copy into the analysis thread) then keeps costing fresh
 * pages: the kernel maps and zeroes them on first touch, and unmaps them again, ~0.7 ms per MiB
 * in a one-process probe here against ~0.1 ms for memory that stays mapped. With these, blocks
 * below 32 MiB come from the heap and its top is trimmed only beyond 256 MiB free, so a process
 * keeps up to about that much freed memory for the next frames (BENCHMARKS.md, "glibc's
 * allocator").
 */
export const DATA_PATH_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(256 * 1024 * 1024),
}

/** The roles that move frames and take {@link DATA_PATH_NODE_FLAGS} and {@link DATA_PATH_ENV}. */
export const DATA_PATH_ROLES: readonly string[] = ['worker', 'ingester']

/**
 * The {@link DATA_PATH_NODE_FLAGS} a process of `role` was started without (`execArgv`: the
 * node flags it runs with, `process.execArgv`); empty for roles that move no frames.
 */
export function missingDataPathFlags(role: string, execArgv: readonly string[]): string[] {
  if (!DATA_PATH_ROLES.includes(role)) return []
  return DATA_PATH_NODE_FLAGS.filter((flag) => !execArgv.includes(flag))
}

/** The `GLIBC_TUNABLES` name of each {@link DATA_PATH_ENV} variable (the same setting). */
const TUNABLE_OF: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: 'glibc.malloc.mmap_threshold',
  MALLOC_TRIM_THRESHOLD_: 'glibc.malloc.trim_threshold',
}

/**
 * The {@link DATA_PATH_ENV} variables a process of `role` was started without, as `NAME=value`.
 * A variable set to another value counts as set (the operator's choice), and so does one whose
 * tunable `GLIBC_TUNABLES` names (the same setting in another form). Empty for roles that move
 * no frames.
 */
export function missingDataPathEnv(role: string, env: NodeJS.ProcessEnv): string[] {
  if (!DATA_PATH_ROLES.includes(role)) return []
  const tunables = env.GLIBC_TUNABLES ?? ''
  return Object.entries(DATA_PATH_ENV)
    .filter(([name]) => env[name] === undefined && !tunables.includes(TUNABLE_OF[name] ?? name))
    .map(([name, value]) => `${name}=${value}`)
}
