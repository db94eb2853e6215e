// The one wording of a failed command: what it is, how it ended, the last lines of its stderr.
import { CommandFailedError } from '../core/errors.js';

/** How messages show a command: its argv as JSON (never its environment). */
export function describeArgv(argv: readonly string[]): string {
  return JSON.stringify(argv);
}

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why no process ran (e.g. spawn ENOENT); null when it started. */
  startError: NodeJS.ErrnoException | null;
  timedOut: boolean;
  /** The caller's signal stopped it. */
  aborted: boolean;
  /** The last lines of stderr, redacted. */
  stderrTail: string[];
}

export interface FailureWording {
  /** How the command is named (default: its argv as JSON). */
  name?: string;
  timeoutMs?: number;
  /** Applied to the whole message (argv and the stderr tail: a secret may span lines). */
  redact?: (text: string) => string;
}

/** The error for a process that did not succeed, or null when it exited 0. */
export function commandFailure(argv: readonly string[], end: ProcessEnd, wording: FailureWording = {}): CommandFailedError | null {
  const failure = describeFailure(argv, wording.name ?? describeArgv(argv), end, wording.timeoutMs);
  if (!failure) return null;
  return new CommandFailedError(wording.redact ? wording.redact(failure.message) : failure.message, argv, failure.details);
}

function describeFailure(
  argv: readonly string[],
  name: string,
  end: ProcessEnd,
  timeoutMs: number | undefined,
): { message: string; details: Record<string, unknown> } | null {
  if (end.startError) {
    const why =
      end.startError.code === 'ENOENT' ? `program ${JSON.stringify(argv[0] ?? '')} was not found (is it installed and on PATH?)` : end.startError.message;
    return { message: `${name} could not start: ${why}`, details: {} };
  }
  if (end.aborted) return { message: `${name} was cancelled`, details: { cancelled: true } };
  const text = end.stderrTail.join('\n');
  const tail = text.trim() ? `; last lines of stderr:\n${text}` : '';
  if (end.timedOut) {
    const limit = timeoutMs === undefined ? '' : ` within ${formatMs(timeoutMs)}`;
    return { message: `${name} did not finish${limit} and was stopped${tail}`, details: { timedOut: true } };
  }
  if (end.code === 0) return null;
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.code}`;
  return { message: `${name} ${how}${tail}`, details: { exitCode: end.code, signal: end.signal } };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
