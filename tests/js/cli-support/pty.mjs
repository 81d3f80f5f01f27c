// Runs the CLI on a real pseudo-terminal, as a user at a terminal would: stdin, stdout and
// stderr are the pty (isTTY true), the terminal has a width, and what the user types is
// echoed back. Python's pty module does the terminal side (no npm native module needed).
import { spawn } from 'node:child_process';
import { cliPath } from './run-cli.mjs';

/**
 * The terminal side, in Python: fork on a new pty with `cols` columns, wait until the
 * output holds `expect`, type `answer` ('EOF' = Ctrl-D), read to the end, exit with the
 * child's code. Everything the child wrote is printed on stdout at the end.
 */
const DRIVER = String.raw`
import fcntl, os, pty, select, struct, sys, termios, time
expect, answer, cols, cmd = sys.argv[1].encode(), sys.argv[2], int(sys.argv[3]), sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, cols, 0, 0))
    os.execvp(cmd[0], cmd)
out, typed, deadline = b'', False, time.time() + 25
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        out += data
    if not typed and expect and expect in out:
        os.write(fd, b'\x04' if answer == 'EOF' else answer.encode())
        typed = True
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

/**
 * Runs `node <cli> ...args` on a pty with only `env` (plus PATH); once the output shows
 * `expect`, types `answer`. Resolves `{code, output, outputBytes}`: both streams as the
 * terminal showed them, with the terminal's CRLF line ends turned back into '\n'.
 */
export function runCliOnTerminal(args, { env = {}, expect = '', answer = '', columns = 80 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', DRIVER, expect, answer, String(columns), process.execPath, cliPath, ...args], {
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (stderr) return reject(new Error(`the pty driver failed:\n${stderr}`));
      const outputBytes = Buffer.from(Buffer.concat(out).toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
      resolve({ code, output: outputBytes.toString('utf8'), outputBytes });
    });
  });
}
