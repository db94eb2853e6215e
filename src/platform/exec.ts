// Runs programs from argv arrays, never a shell string: the one module that starts the processes
// we wait for (detached-launch.ts starts the ones that outlive us). Each child leads its own
// process group, so a cancel or a timeout stops it with everything it started: SIGTERM to the
// group, SIGKILL after a grace. Output comes out as lines (redacted first), collected or streamed,
// or as the raw stdout stream for byte pipelines (database dumps), or into a log file. As root, a
// child can run as another user (uid/gid: an app's own unprivileged user, platform/system-user.ts).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CommandFailedError } from '../core/errors.js';
import { commandFailure, type ProcessEnd } from './command-failure.js';
import { readLines } from './line-splitter.js';
import { groupExists, signalGroup } from './process-group.js';

export { describeArgv, type ProcessEnd } from './command-failure.js';

export type OutputStream = 'stdout' | 'stderr';

const DEFAULT_KILL_GRACE_MS = 5000;
const DEFAULT_TAIL_LINES = 10;

export interface ProcessOptions {
  cwd?: string;
  /** The child's whole environment (omitted: it inherits ours). Never part of a message. */
  env?: Record<string, string>;
  /** Run as this user and group (both, or neither; needs root). Supplementary groups are dropped. */
  uid?: number;
  gid?: number;
  /** Written to stdin, which is then closed. Without it (and without `stdin: 'pipe'`) stdin is /dev/null. */
  input?: string | Buffer;
  /** Applied to every output line before it leaves this module: callbacks, collected output, errors. */
  redact?: (text: string) => string;
  /** Every output line, redacted, as it comes. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Aborting stops the process group; the failure then says "was cancelled". */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** How long the group has after SIGTERM before SIGKILL (default 5 s; 0: SIGKILL at once). */
  killGraceMs?: number;
  /** Called when the group outlived its grace and is sent SIGKILL. */
  onForceKill?: () => void;
  /** How messages name the command (default: its argv as JSON). */
  name?: string;
  /** Lines of stderr kept for the failure message (default 10). */
  stderrTailLines?: number;
  /**
   * When the program exits, SIGKILL whatever it left running in its process group (a build step's
   * background job), so nothing it started outlives it and its output pipes close.
   */
  reapGroup?: boolean;
}

export interface SpawnOptions extends ProcessOptions {
  /** 'pipe': the caller writes to `stdin` (and ends it). */
  stdin?: 'pipe';
  /**
   * 'lines' (default): stdout and stderr go to `onLine`. 'raw-stdout': stdout is the caller's byte
   * stream (`stdout`; it must be consumed), stderr still goes to `onLine`. `{ fd }`: both are
   * appended to this open file (the caller may close its descriptor once spawnProcess returns).
   */
  output?: 'lines' | 'raw-stdout' | { fd: number };
}

export interface ChildHandle {
  readonly argv: readonly string[];
  /** Undefined when the program could not start. */
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  /** Only with `output: 'raw-stdout'`. */
  readonly stdout: Readable | null;
  /** Settles once the process has exited and its output is read; never rejects. */
  readonly exit: Promise<ProcessEnd>;
  /** Resolves when it exited 0; rejects with a CommandFailedError naming the command otherwise. */
  succeeded(): Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default: the killGraceMs option). */
  kill(graceMs?: number): void;
}

export function spawnProcess(argv: readonly string[], opts: SpawnOptions = {}): ChildHandle {
  const [file, ...args] = argv;
  if (!file) throw new CommandFailedError('empty command: there is no program to run', argv);
  const output = opts.output ?? 'lines';
  const fd = typeof output === 'object' ? output.fd : undefined;
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    stdio: [opts.stdin === 'pipe' || opts.input !== undefined ? 'pipe' : 'ignore', fd ?? 'pipe', fd ?? 'pipe'],
    detached: true, // its own process group (and session), killed as a whole
  });
  const redact = opts.redact ?? ((text: string) => text);
  const tailMax = opts.stderrTailLines ?? DEFAULT_TAIL_LINES;
  const tail: string[] = [];
  const emit = (stream: OutputStream) => (raw: string) => {
    const line = redact(raw);
    if (stream === 'stderr') {
      tail.push(line);
      if (tail.length > tailMax) tail.shift();
    }
    opts.onLine?.(line, stream);
  };
  if (child.stdout && output === 'lines') readLines(child.stdout, emit('stdout'));
  if (child.stderr) readLines(child.stderr, emit('stderr'));
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // a program may exit without reading its input; its exit status tells
    if (opts.input !== undefined) child.stdin.end(opts.input);
  }

  let closed = false;
  let forceTimer: NodeJS.Timeout | undefined;
  const kill = (graceMs = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS): void => {
    const pid = child.pid;
    if (pid === undefined || closed) return;
    if (graceMs <= 0) {
      signalGroup(pid, 'SIGKILL');
      return;
    }
    signalGroup(pid, 'SIGTERM');
    forceTimer ??= setTimeout(() => {
      if (!groupExists(pid)) return;
      opts.onForceKill?.();
      signalGroup(pid, 'SIGKILL');
    }, graceMs);
  };

  let timedOut = false;
  let aborted = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs);
  const onAbort = () => {
    aborted = true;
    kill();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  if (opts.reapGroup) {
    child.once('exit', () => {
      if (child.pid !== undefined && groupExists(child.pid)) signalGroup(child.pid, 'SIGKILL');
    });
  }

  let startError: NodeJS.ErrnoException | null = null;
  child.on('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined) startError = err;
  });
  const exit = new Promise<ProcessEnd>((resolve) => {
    // 'close': exited and every output stream ended, so every line has been delivered.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      closed = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Something the group started may still hold on past the leader's exit: it keeps its grace.
      if (forceTimer && (child.pid === undefined || !groupExists(child.pid))) clearTimeout(forceTimer);
      resolve({ code: startError ? null : code, signal, startError, timedOut, aborted, stderrTail: [...tail] });
    });
  });
  return {
    argv,
    pid: child.pid,
    stdin: child.stdin,
    stdout: output === 'raw-stdout' ? child.stdout : null,
    exit,
    succeeded: async () => {
      const failure = commandFailure(argv, await exit, { name: opts.name, timeoutMs: opts.timeoutMs, redact });
      if (failure) throw failure;
    },
    kill,
  };
}

export interface RunOptions extends ProcessOptions {
  /** Keep at most this many characters of each of stdout and stderr in the result (default 1 MiB). */
  maxBuffer?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The output lines (redacted), each ended by "\n". */
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Runs argv[0] with argv[1..] and collects its output; resolves whatever the exit code, rejects only when it could not start. */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { handle, collected } = collect(argv, opts);
  const end = await handle.exit;
  if (end.startError) await handle.succeeded(); // rejects: says why it could not start
  return { code: end.code, signal: end.signal, timedOut: end.timedOut, aborted: end.aborted, ...collected };
}

/** Like run, but rejects with a CommandFailedError unless the program exits 0. */
export async function runChecked(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { handle, collected } = collect(argv, opts);
  await handle.succeeded();
  const end = await handle.exit;
  return { code: end.code, signal: end.signal, timedOut: end.timedOut, aborted: end.aborted, ...collected };
}

function collect(argv: readonly string[], opts: RunOptions): { handle: ChildHandle; collected: { stdout: string; stderr: string } } {
  const max = opts.maxBuffer ?? 1024 * 1024;
  const collected = { stdout: '', stderr: '' };
  const handle = spawnProcess(argv, {
    ...opts,
    output: 'lines',
    onLine: (line, stream) => {
      if (collected[stream].length < max) collected[stream] += line + '\n';
      opts.onLine?.(line, stream);
    },
  });
  return { handle, collected };
}
