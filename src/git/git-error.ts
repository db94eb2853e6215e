// Turns a failed git process into a named Slipway error whose message says what went wrong and
// how to fix it. Everything git printed is redacted before it reaches the message.
import { SlipwayError, type ErrorCode } from '../core/errors.js';
import type { Redactor } from '../core/redactor.js';
import type { GitRunResult } from './git-runner.js';

export class GitError extends SlipwayError {
  override readonly name = 'GitError';
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

interface Rule {
  test: RegExp;
  code: ErrorCode;
  hint: string;
}

const RULES: Rule[] = [
  {
    test: /\.lock': file exists|unable to create '.*\.lock'|cannot lock ref/i,
    code: 'locked',
    hint: 'another git process holds a lock in the mirror; try again (a lock left by a crashed process is removed automatically once it is older than the git timeout)',
  },
  {
    test: /authentication failed|could not read (username|password)|permission denied \(publickey|http (basic: )?access denied|returned error: 40[13]|terminal prompts disabled|invalid username or password/i,
    code: 'unauthorized',
    hint: "the repository refused the credentials: check the app's git token (https) or deploy key (ssh) and that it may read this repository",
  },
  {
    test: /host key verification failed|remote host identification has changed/i,
    code: 'failed_precondition',
    hint: "the server's SSH host key is not the trusted one: update the known hosts of the app's deploy key",
  },
  {
    // A local repository path that names a file (git tries it as a gitfile, then as a bundle).
    test: /invalid gitfile format|does not look like a v2 or v3 bundle file/i,
    code: 'invalid_input',
    hint: "the repository path is a file, not a git repository: give the path of a repository's directory (or its .git) or its URL",
  },
  {
    test: /repository .* not found|does not appear to be a git repository|returned error: 404|not a git repository|does not exist|no such file or directory/i,
    code: 'not_found',
    hint: "the repository does not exist at this address (or the credentials may not see it): check the app's repository setting",
  },
  {
    test: /could not resolve host|connection (refused|timed out|reset)|network is unreachable|operation timed out|failed to connect|early eof|the remote end hung up/i,
    code: 'unavailable',
    hint: 'the git server could not be reached; try again, and check the address and the network',
  },
];

/** Last lines of git's stderr, redacted, for the message. */
function stderrTail(stderr: string, redactor: Redactor): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^hint:/.test(l));
  // git's own verdicts first ("fatal: ...", "error: ..."); else the last lines.
  const verdicts = lines.filter((l) => /^(fatal|error):/.test(l));
  return redactor.redact((verdicts.length > 0 ? verdicts : lines).slice(-4).join(' | '));
}

export function gitFailure(what: string, repoForHumans: string, result: GitRunResult, redactor: Redactor, timeoutMs: number): GitError {
  const tail = stderrTail(result.stderr, redactor);
  const details = { repo: repoForHumans, stderr: tail };
  if (result.timedOut) {
    return new GitError('unavailable', `git ${what} for ${repoForHumans} did not finish within ${Math.round(timeoutMs / 1000)}s and was stopped; check that the server is reachable, or raise the git timeout`, details);
  }
  // An output error stops git (by a signal); or git finished but its output could not be used.
  if (result.outputError && (result.code === 0 || result.signal !== null)) {
    return new GitError('internal', `git ${what} for ${repoForHumans} failed: ${redactor.redact(result.outputError.message)}`, details);
  }
  const rule = RULES.find((r) => r.test.test(result.stderr));
  const how = rule ? `: ${rule.hint}` : '';
  return new GitError(rule?.code ?? 'internal', `git ${what} for ${repoForHumans} failed${how}${tail ? ` (git said: ${tail})` : ''}`, details);
}

/** Another git process holds a lock in the mirror; worth one retry. */
export function isLockContention(stderr: string): boolean {
  return /\.lock': file exists|unable to create '.*\.lock'|cannot lock ref|unable to lock/i.test(stderr);
}
