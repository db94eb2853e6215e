// Validation of what callers pass as refs, shas and paths, before any of it reaches git.
import { InvalidInputError } from '../core/errors.js';

const REF = /^[A-Za-z0-9._/+@-]+$/;
export const HEX_SHA = /^[0-9a-f]{4,64}$/;

/** A branch, tag, full ref ("refs/heads/main") or (short) commit sha. */
export function checkRef(ref: string): string {
  if (ref.length === 0 || ref.length > 255 || !REF.test(ref) || ref.startsWith('-') || ref.includes('..') || ref.endsWith('.lock') || ref.endsWith('/')) {
    throw new InvalidInputError(
      `git ref ${JSON.stringify(ref)} is not valid: expected a branch ("main"), a tag ("v1.2.0"), a full ref ("refs/heads/main") or a commit sha`,
    );
  }
  return ref;
}

/** The places a ref name is looked for, in order: branch, tag, then as a commit sha. */
export function refCandidates(ref: string): string[] {
  if (ref.startsWith('refs/')) return [ref];
  // The repository's default branch (a mirror's HEAD follows the origin's).
  if (ref === 'HEAD') return ['HEAD'];
  const out = [`refs/heads/${ref}`, `refs/tags/${ref}`];
  if (HEX_SHA.test(ref.toLowerCase())) out.push(ref.toLowerCase());
  return out;
}

export function checkSha(sha: string, what = 'commit sha'): string {
  const s = sha.toLowerCase();
  if (!HEX_SHA.test(s)) {
    throw new InvalidInputError(`${what} ${JSON.stringify(sha)} is not valid: expected 4 to 64 hexadecimal characters (resolve branches and tags first)`);
  }
  return s;
}

/** A path inside the repository, relative to its root. Leading "./" and "/" are ignored. */
export function checkRepoPath(p: string): string {
  const clean = p.replace(/^(\.\/|\/)+/, '');
  if (clean === '' || /[\0\n\r]/.test(clean) || clean.split('/').includes('..')) {
    throw new InvalidInputError(`path ${JSON.stringify(p)} is not valid: expected a file path relative to the repository root, like "slipway.yml"`);
  }
  return clean;
}
