// Runs a database tool from argv with piped stdin and stdout: the backup and restore paths stream
// bytes through them (never held in memory). Started through platform/exec.ts.
import type { Readable, Writable } from 'node:stream';
import { baseChildEnv } from '../platform/env.js';
import { spawnProcess } from '../platform/exec.js';

export interface ToolProcess {
  stdin: Writable;
  stdout: Readable;
  /** Resolves when the tool exits 0; rejects with a CommandFailedError (stderr tail, secrets scrubbed) otherwise. */
  exited: Promise<void>;
  kill(): void;
}

export interface ToolOptions {
  /** Added to the minimal child environment (e.g. PGPASSWORD). Never logged. */
  env?: Record<string, string>;
  /** Values scrubbed from every stderr line and from errors. */
  secrets?: string[];
  /** Called with each non-blank stderr line (progress and warnings), secrets scrubbed. */
  onStderr?: (line: string) => void;
}

export function startTool(argv: readonly string[], opts: ToolOptions = {}): ToolProcess {
  const secrets = (opts.secrets ?? []).filter((v) => v.length > 0);
  const scrub = (s: string) => secrets.reduce((acc, v) => acc.split(v).join('[redacted]'), s);
  const tool = spawnProcess(argv, {
    env: { ...baseChildEnv(), ...opts.env },
    stdin: 'pipe',
    output: 'raw-stdout',
    redact: scrub,
    onLine: (line) => {
      if (line.trim()) opts.onStderr?.(line);
    },
    // Only the program's name: the rest of argv may hold SQL and names callers put in logs and API responses.
    name: argv[0] ?? '',
  });
  const exited = tool.succeeded();
  exited.catch(() => {}); // observed by callers; avoid an unhandled rejection when they bail out early
  return {
    stdin: tool.stdin!,
    stdout: tool.stdout!,
    exited,
    kill: () => tool.kill(),
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
