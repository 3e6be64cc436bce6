/**
 * The exit codes of every `beamloom` command (docs/cli.md): 0 when all went well, and these.
 */

/** The run failed: analysis failures, a scan that did not finish, infrastructure lost. */
export const EXIT_FAILED = 1
/** Bad input (usage, files, modules, parameters, config), refused before anything runs. */
export const EXIT_BAD_INPUT = 2
