// Runs one git process from an argv array (never a shell) with a timeout, collecting stdout as
// bytes or streaming it into a writable. The environment is built by the caller (git-env.ts).
import { spawn } from 'node:child_process';

export interface GitRunOptions {
  /** Full environment of the child (nothing is inherited implicitly). */
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
  input?: string | Buffer;
  /** Stream stdout here instead of collecting it (e.g. `git archive` into a tar extractor). */
  stdoutTo?: NodeJS.WritableStream;
  /** Fail when stdout grows beyond this many bytes (default 64 MiB). */
  maxStdout?: number;
}

export interface GitRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** Set when stdout exceeded maxStdout or the stdoutTo sink failed. */
  outputError: Error | null;
}

const MAX_STDERR = 64 * 1024;

export function runGit(args: readonly string[], opts: GitRunOptions): Promise<GitRunResult> {
  const max = opts.maxStdout ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawn('git', [...args], {
      env: opts.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let timedOut = false;
    let outputError: Error | null = null;
    let spawnError: Error | null = null;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);

    const stdout = child.stdout!;
    let sinkDone: Promise<void> = Promise.resolve();
    if (opts.stdoutTo) {
      const sink = opts.stdoutTo;
      // Done when the sink has flushed everything ('finish'), or failed ('error'; git is stopped).
      sinkDone = new Promise<void>((done) => {
        sink.once('finish', () => done());
        sink.once('error', (err: unknown) => {
          outputError ??= err instanceof Error ? err : new Error(String(err));
          stdout.unpipe();
          stdout.resume();
          kill();
          done();
        });
      });
      stdout.pipe(sink);
    } else {
      stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          outputError ??= new Error(`git output exceeded ${max} bytes`);
          kill();
          return;
        }
        chunks.push(chunk);
      });
    }
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s;
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {}); // git may exit before reading all input; the exit code tells
      child.stdin!.end(opts.input);
    }
    child.on('error', (err) => {
      spawnError = err;
    });
    const deadline = Date.now() + opts.timeoutMs;
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let sinkTimer: NodeJS.Timeout | undefined;
      const sinkTimeout = new Promise<void>((done) => {
        sinkTimer = setTimeout(() => {
          outputError ??= new Error('the output of git was not consumed in time');
          done();
        }, Math.max(0, deadline - Date.now()) + 1000);
      });
      void Promise.race([sinkDone, sinkTimeout]).then(() => {
        clearTimeout(sinkTimer);
        if (spawnError) stderr += `\ncannot run git: ${spawnError.message}`;
        resolve({ code, signal, stdout: Buffer.concat(chunks), stderr, timedOut, outputError });
      });
    });
  });
}
