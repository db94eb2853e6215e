// The wire types of the HTTP API: what the server (src/http, src/services) sends and accepts and
// what the CLI (src/cli) reads and sends. Request bodies are zod schemas the routes validate with;
// their TypeScript types are derived from them. Pure: no `node:` module, no adapter, no service.
export * from './apps.js';
export * from './backups.js';
export * from './certificates.js';
export * from './deployments.js';
export * from './error-body.js';
export * from './git-driven.js';
export * from './locks.js';
export * from './secrets.js';
export * from './status.js';
export * from './webhooks.js';
export * from './system.js';
