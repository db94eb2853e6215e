// Runs one git process (through platform/exec.ts: argv, own process group, timeout) collecting
// stdout as bytes or streaming it into a writable. The environment is built by the caller (git-env.ts).
import { spawnProcess } from '../platform/exec.js';

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
  /** Set when stdout exceeded maxStdout or the stdoutTo sink failed (git is then stopped). */
  outputError: Error | null;
}

const MAX_STDERR = 64 * 1024;

export async function runGit(args: readonly string[], opts: GitRunOptions): Promise<GitRunResult> {
  const max = opts.maxStdout ?? 64 * 1024 * 1024;
  let stderr = '';
  const git = spawnProcess(['git', ...args], {
    env: opts.env,
    cwd: opts.cwd,
    input: opts.input,
    timeoutMs: opts.timeoutMs,
    output: 'raw-stdout',
    onLine: (line) => {
      if (stderr.length < MAX_STDERR) stderr += line + '\n';
    },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  let outputError: Error | null = null;
  const stdout = git.stdout!;
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
        git.kill();
        done();
      });
    });
    stdout.pipe(sink);
  } else {
    stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        outputError ??= new Error(`git output exceeded ${max} bytes`);
        git.kill();
        return;
      }
      chunks.push(chunk);
    });
  }
  const deadline = Date.now() + opts.timeoutMs;
  const end = await git.exit;
  let sinkTimer: NodeJS.Timeout | undefined;
  const sinkTimeout = new Promise<void>((done) => {
    sinkTimer = setTimeout(() => {
      outputError ??= new Error('the output of git was not consumed in time');
      done();
    }, Math.max(0, deadline - Date.now()) + 1000);
  });
  await Promise.race([sinkDone, sinkTimeout]);
  clearTimeout(sinkTimer);
  if (end.startError) stderr += `\ncannot run git: ${end.startError.message}`;
  return { code: end.code, signal: end.signal, stdout: Buffer.concat(chunks), stderr, timedOut: end.timedOut, outputError };
}
