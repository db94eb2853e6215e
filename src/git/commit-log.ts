// Commits as listed by `git log`: the format string handed to git and the parser of its output.

export interface Trailer {
  key: string;
  value: string;
}

export interface Commit {
  sha: string;
  subject: string;
  /** Author name. */
  author: string;
  authorEmail: string;
  /** Author date, ISO 8601 with offset as git prints it (e.g. "2026-11-22T10:00:00+01:00"). */
  date: string;
  /** The message without its subject line (trailers included, as written). */
  body: string;
  /** Trailers of the message as git parses them (unfolded), in order. */
  trailers: Trailer[];
}

const FIELD = '\x1f';
const TRAILER_SEP = '\x1d';

/** For `git log -z --format=...`: records end with NUL; the body is last so stray separators in it cannot shift fields. */
export const LOG_FORMAT = ['%H', '%s', '%an', '%ae', '%aI', '%(trailers:only,unfold,separator=%x1d)', '%b'].join('%x1f');

export function parseLog(out: string): Commit[] {
  const commits: Commit[] = [];
  for (const record of out.split('\0')) {
    if (record.trim() === '') continue;
    const [sha = '', subject = '', author = '', authorEmail = '', date = '', trailers = '', ...body] = record.replace(/^\n/, '').split(FIELD);
    commits.push({
      sha,
      subject,
      author,
      authorEmail,
      date,
      body: body.join(FIELD).replace(/\n+$/, ''),
      trailers: parseTrailers(trailers),
    });
  }
  return commits;
}

function parseTrailers(text: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of text.split(TRAILER_SEP)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out.push({ key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
  }
  return out;
}
