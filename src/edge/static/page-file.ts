// The release's own pages (slipway.yml `pages`: maintenance, long_maintenance, 404, 5xx), read from
// the release directory when the edge answers with one. Pages are small (at most 256 KiB, else the
// edge's own page is used) and remembered for a second, so a maintenance window under load reads
// each file about once a second.
import { readFile, stat } from 'node:fs';

const MAX_PAGE_BYTES = 256 * 1024;
const VALID_MS = 1000;

const pages = new Map<string, { body: string | null; expires: number }>();

/** The page's HTML, or null when the file is missing, unreadable or too large (the caller uses its default). */
export function readPage(file: string, done: (body: string | null) => void): void {
  const now = Date.now();
  const cached = pages.get(file);
  if (cached !== undefined && cached.expires > now) return done(cached.body);
  const remember = (body: string | null) => {
    if (pages.size > 1000) pages.clear();
    pages.set(file, { body, expires: Date.now() + VALID_MS });
    done(body);
  };
  stat(file, (err, s) => {
    if (err || !s.isFile() || s.size > MAX_PAGE_BYTES) return remember(null);
    readFile(file, 'utf8', (err2, body) => remember(err2 || body.length > MAX_PAGE_BYTES ? null : body));
  });
}
