// Placeholder for migration 005, which the ACME accounts change (issue 13) brings: it keeps the
// numbering whole on this branch. When merging, replace this file with the real 005.
import type { Migration } from './migration.js';

export const reservedAcmeAccounts: Migration = { version: 5, name: 'reserved-acme-accounts', up: async () => {} };
