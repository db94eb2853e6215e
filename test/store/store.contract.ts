// The Store contract: every Store implementation (SQLite, PostgreSQL, ...) passes this suite.
// Usage: storeContract('sqlite (memory)', () => openSqliteStore(':memory:')); `open` must
// return a fresh, empty store on each call; every test closes the store it opened.
import { describe } from 'node:test';
import type { Store } from '../../src/core/ports/store.js';
import { appsContract } from './contract/apps.js';
import { auditTokensSettingsContract } from './contract/audit-tokens-settings.js';
import { backupsContract } from './contract/backups.js';
import { deploymentsContract } from './contract/deployments.js';
import { gitDrivenContract } from './contract/git-driven.js';
import { locksContract } from './contract/locks.js';
import { releasesContract } from './contract/releases.js';
import { secretsContract } from './contract/secrets.js';
import { stepsAndLogsContract } from './contract/steps-and-logs.js';

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    appsContract(open);
    deploymentsContract(open);
    stepsAndLogsContract(open);
    releasesContract(open);
    secretsContract(open);
    locksContract(open);
    auditTokensSettingsContract(open);
    gitDrivenContract(open);
    backupsContract(open);
  });
}
