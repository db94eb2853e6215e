// Runs one build or release command from argv: output streamed line by line to the deploy log,
// killed (with its whole process group) when the deploy is cancelled, and on failure an error
// with the exit code and the last lines of stderr.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { StepFailedError } from '../../core/errors.js';
import type { Redactor } from '../../core/redactor.js';
import type { DeployLog } from '../../core/ports/runtime-driver.js';

const TAIL_LINES = 10;

export interface CommandOptions {
  /** What the command is, for messages: "build command 1". */
  label: string;
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  log: DeployLog;
  signal: AbortSignal;
  redactor: Redactor;
}

export function describeArgv(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

export async function runCommand(opts: CommandOptions): Promise<void> {
  const [file, ...args] = opts.argv;
  if (!file) throw new StepFailedError(`${opts.label} is empty`);
  if (opts.signal.aborted) throw cancelled(opts);
  opts.log.info(`${opts.label}: ${describeArgv(opts.argv)}`);
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail: string[] = [];
  const lines = (stream: 'stdout' | 'stderr') => (line: string) => {
    opts.log.output(stream, line);
    if (stream === 'stderr') {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
  };
  const readers = [
    new Promise<void>((resolve) => readline.createInterface({ input: child.stdout }).on('line', lines('stdout')).on('close', resolve)),
    new Promise<void>((resolve) => readline.createInterface({ input: child.stderr }).on('line', lines('stderr')).on('close', resolve)),
  ];
  const onAbort = () => killGroup(child.pid);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? `program ${JSON.stringify(file)} was not found (is it installed and on PATH?)` : err.message;
        reject(new StepFailedError(`${opts.label} ${describeArgv(opts.argv)} could not start: ${why}`));
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await Promise.all(readers);
    if (opts.signal.aborted) throw cancelled(opts);
    if (exit.code !== 0) {
      const why = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const last = tail.length ? `; last lines of stderr:\n${opts.redactor.redact(tail.join('\n'))}` : '';
      throw new StepFailedError(`${opts.label} ${describeArgv(opts.argv)} ${why}${last}`, {
        exitCode: exit.code,
        signal: exit.signal,
      });
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function cancelled(opts: CommandOptions): StepFailedError {
  return new StepFailedError(`${opts.label} ${describeArgv(opts.argv)} was cancelled`, { cancelled: true });
}
