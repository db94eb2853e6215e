// Runs a database tool from argv with piped stdio: the backup and restore paths stream through
// stdin/stdout, so platform/exec.ts (which buffers output) is not enough here.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { baseChildEnv } from '../platform/env.js';
import { ExecError } from '../platform/exec.js';

export interface ToolProcess {
  child: ChildProcess;
  stdin: Writable;
  stdout: Readable;
  /** Resolves when the tool exits 0; rejects with ExecError (stderr tail, secrets scrubbed) otherwise. */
  exited: Promise<void>;
  kill(): void;
}

export interface ToolOptions {
  /** Added to the minimal child environment (e.g. PGPASSWORD). Never logged. */
  env?: Record<string, string>;
  /** Values scrubbed from the error message built from stderr. */
  secrets?: string[];
  /** Called with each stderr line (progress and warnings), secrets scrubbed. */
  onStderr?: (line: string) => void;
}

const STDERR_TAIL = 4096;

export function startTool(argv: readonly string[], opts: ToolOptions = {}): ToolProcess {
  const [file, ...args] = argv;
  if (!file) throw new ExecError('empty command', argv, undefined);
  const child = spawn(file, args, {
    env: { ...baseChildEnv(), ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const scrub = (s: string) => (opts.secrets ?? []).filter((v) => v.length > 0).reduce((acc, v) => acc.split(v).join('[redacted]'), s);
  let tail = '';
  let partial = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL);
    if (!opts.onStderr) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) opts.onStderr(scrub(l));
  });
  // A tool that exits early closes its stdin; writes after that must not crash the process.
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new ExecError(`${file}: ${err.message}`, [file], undefined)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const msg = scrub(tail.trim().split('\n').slice(-4).join(' | '));
      // argv is reduced to the program name: the rest may name hosts and users, never secrets,
      // but callers put this error in logs and API responses.
      reject(new ExecError(`${file} ${why}${msg ? `: ${msg}` : ''}`, [file], undefined));
    });
  });
  exited.catch(() => {}); // observed by callers; avoid an unhandled rejection when they bail out early
  return {
    child,
    stdin: child.stdin!,
    stdout: child.stdout!,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs a tool to completion and returns its stdout (at most `maxBytes`); rejects like `exited`. */
export async function runTool(argv: readonly string[], opts: ToolOptions & { input?: string; maxBytes?: number } = {}): Promise<string> {
  const tool = startTool(argv, opts);
  const max = opts.maxBytes ?? 8 * 1024 * 1024;
  let out = '';
  tool.stdout.setEncoding('utf8');
  tool.stdout.on('data', (chunk: string) => {
    if (out.length < max) out += chunk;
  });
  tool.stdin.end(opts.input ?? '');
  await tool.exited;
  return out;
}

/** Feeds `input` to the tool's stdin and waits for it; an input error kills the tool and is the rejection. */
export async function feedTool(tool: ToolProcess, input: Readable): Promise<void> {
  let inputError: Error | undefined;
  tool.stdout.resume();
  input.on('error', (err) => {
    inputError = err;
    tool.kill();
  });
  input.pipe(tool.stdin);
  try {
    await tool.exited;
  } catch (err) {
    if (inputError) throw new Error(`stopped because the backup could not be read: ${inputError.message}`);
    throw err;
  }
}
