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

/** The roles that move detector frames and take {@link DATA_PATH_NODE_FLAGS}. */
export const DATA_PATH_ROLES: readonly string[] = ['worker', 'ingester']

/**
 * The {@link DATA_PATH_NODE_FLAGS} a process of `role` was started without (`execArgv`: the
 * node flags it runs with, `process.execArgv`); empty for roles that move no frames.
 */
export function missingDataPathFlags(role: string, execArgv: readonly string[]): string[] {
  if (!DATA_PATH_ROLES.includes(role)) return []
  return DATA_PATH_NODE_FLAGS.filter((flag) => !execArgv.includes(flag))
}
