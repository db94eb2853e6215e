// Public entry points of the git adapter.
export { GitSource, type GitSourceOptions, type ResolvedRef, type AheadBehind } from './git-source.js';
export type { GitRepo } from './mirror-cache.js';
export type { GitCredentials } from './git-credentials.js';
export type { Commit, Trailer } from './commit-log.js';
export { deploymentNotes } from './deployment-notes.js';
export { GitError } from './git-error.js';
export { parseRepoLocation, type RepoLocation } from './repo-location.js';
