import { spawn } from 'node:child_process'
import { repoPath } from './fixtures.js'
import type { Child } from './processes.js'

/**
 * Runs a command on a pseudo-terminal (120 columns) and copies what it writes there to stdout;
 * exits with the command's code (128 + n for signal n). Python's standard pty module: no
 * native Node module needed.
 */
const PTY_RUNNER = `
import fcntl, os, pty, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
`

/**
 * Spawn `node bin/beamloom.js <args>` with standard input, output and error on a terminal, as
 * a person running it would; `output()` is what the terminal showed (escape sequences and
 * carriage returns included).
 */
export function spawnBeamloomOnTerminal(
  name: string,
  args: string[],
  env: Record<string, string>,
): Child {
  const child = spawn(
    'python3',
    ['-c', PTY_RUNNER, process.execPath, repoPath('bin/beamloom.js'), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
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

/** Terminal output as plain text: escape sequences removed, carriage returns as newlines. */
export function plainText(terminal: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is removed
  return terminal.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r\n?/g, '\n')
}
