// Runs programs from argv arrays only. Never a shell string.
import { spawn, type SpawnOptions } from 'node:child_process';
import readline from 'node:readline';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Called for every output line (stdout and stderr), already split. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  input?: string | Buffer;
  /** Keep at most this many bytes of output in the result (default 1 MiB). */
  maxBuffer?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly result: RunResult | undefined,
  ) {
    super(message);
  }
}

/** Runs argv[0] with argv[1..]; resolves with the result whatever the exit code. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new ExecError('empty command', argv, undefined));
  const max = opts.maxBuffer ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: opts.signal,
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
    };
    const child = spawn(file, args, spawnOpts);
    let stdout = '';
    let stderr = '';
    const collect = (stream: 'stdout' | 'stderr') => (line: string) => {
      if (stream === 'stdout' && stdout.length < max) stdout += line + '\n';
      if (stream === 'stderr' && stderr.length < max) stderr += line + '\n';
      opts.onLine?.(line, stream);
    };
    if (child.stdout) readline.createInterface({ input: child.stdout }).on('line', collect('stdout'));
    if (child.stderr) readline.createInterface({ input: child.stderr }).on('line', collect('stderr'));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', (err) => {
      reject(new ExecError(`${file}: ${err.message}`, argv, undefined));
    });
    child.on('close', (code, signal) => {
      // readline may deliver the last lines after 'close' of the child; let it drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

/** Like run, but rejects with ExecError unless the program exits 0. */
export async function runChecked(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(argv, opts);
  if (result.code !== 0) {
    const why = result.signal ? `killed by ${result.signal}` : `exited with code ${result.code}`;
    const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new ExecError(`${argv[0]} ${why}${tail ? `: ${tail}` : ''}`, argv, result);
  }
  return result;
}
