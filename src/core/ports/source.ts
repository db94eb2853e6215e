// Where release sources come from: a git repository (a mirror per app, driven by the git CLI).

export interface Commit {
  sha: string;
  subject: string;
  body: string;
  author: string;
  date: string;
}

export interface SourceProvider {
  /** Fetches and resolves a branch, tag or sha to a commit. */
  resolve(repo: string, ref: string): Promise<{ sha: string; subject: string }>;
  /** Writes the tree at `sha` into `dir` (no .git). */
  checkout(repo: string, sha: string, dir: string): Promise<void>;
  /** A file's text at a commit, or null when the commit has no such file. */
  readFile(repo: string, sha: string, path: string): Promise<string | null>;
  /** Commits in `from..to`, newest first (`from` null: the history of `to`). */
  log(repo: string, fromSha: string | null, toSha: string): Promise<Commit[]>;
  /** Paths whose content differs between the trees of `from` and `to` (`from` null: every path of `to`). */
  changedPaths(repo: string, fromSha: string | null, toSha: string): Promise<string[]>;
}
