// Starts a process that outlives us (the edge, a release's supervisor): from argv, detached (its
// own session and process group, so neither a signal to our group nor our death reaches it),
// stdout and stderr appended to a log file or ignored, and unref'd (we do not wait for it).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { CommandFailedError } from '../core/errors.js';
import { commandFailure } from './command-failure.js';

export interface DetachedLaunchOptions {
  /** How messages name the process: "the edge". */
  name: string;
  /** Its whole environment. */
  env: Record<string, string>;
  cwd?: string;
  /** Appends stdout and stderr here (created with mode 0600); without it they are ignored. */
  logFile?: string;
  /** Written to stdin, which is then closed: a way to hand over secrets outside argv and env. */
  input?: string;
}

export interface LaunchedProcess {
  readonly pid: number;
  /** How it ended, if it has while we ran ("exited with code 1"); null while it runs. */
  ended(): string | null;
}

/** Resolves once the process runs; rejects with a CommandFailedError when it could not start. */
export function launchDetached(argv: readonly string[], opts: DetachedLaunchOptions): Promise<LaunchedProcess> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new CommandFailedError(`${opts.name}: empty command`, argv));
  const out = opts.logFile === undefined ? 'ignore' : openSync(opts.logFile, 'a', 0o600);
  const child = (() => {
    try {
      return spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', out, out],
        detached: true,
      });
    } finally {
      if (typeof out === 'number') closeSync(out); // the child has its own copy
    }
  })();
  let ended: string | null = null;
  child.once('exit', (code, signal) => (ended = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      const end = { code: null, signal: null, startError: err, timedOut: false, aborted: false, stderrTail: [] };
      reject(commandFailure(argv, end, { name: opts.name }) ?? err);
    });
    child.once('spawn', () => {
      if (child.stdin) {
        child.stdin.on('error', () => undefined); // it may exit before reading; `ended` tells
        child.stdin.end(opts.input);
      }
      resolve({ pid: child.pid as number, ended: () => ended });
    });
  });
}
