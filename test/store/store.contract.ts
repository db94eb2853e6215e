// The Store contract: every Store implementation (SQLite, PostgreSQL, ...) passes this suite,
// one suite per port of core/ports/store/ (each typed against its port, in contract/).
// Usage: storeContract('sqlite (memory)', (clock) => openSqliteStore(':memory:', { clock }));
// `open` must return a fresh, empty store on each call, on `clock` when one is given (the
// system clock otherwise); every test closes the store it opened.
import { describe } from 'node:test';
import type { Store } from '../../src/core/ports/store.js';
import { acmeAccountsContract } from './contract/acme-accounts.js';
import { appsAndEnvironmentsContract } from './contract/apps-and-environments.js';
import { auditLogContract } from './contract/audit.js';
import { backupRecordsContract } from './contract/backups.js';
import { certificateRecordsContract } from './contract/certificates.js';
import { commitStatusesContract } from './contract/commit-statuses.js';
import { deploymentLogContract } from './contract/deployment-log.js';
import { deploymentsContract } from './contract/deployments.js';
import type { OpenStore } from './contract/fixture.js';
import { locksContract } from './contract/locks.js';
import { releasesContract } from './contract/releases.js';
import { secretsContract } from './contract/secrets.js';
import { storedSettingsContract } from './contract/settings.js';
import { statusReadsContract } from './contract/status-reads.js';
import { stepRunsContract } from './contract/step-runs.js';
import { tokensContract } from './contract/tokens.js';
import { webhookDeliveriesContract } from './contract/webhook-deliveries.js';

export function storeContract(name: string, open: OpenStore<Store>): void {
  describe(`Store contract: ${name}`, () => {
    appsAndEnvironmentsContract(open);
    deploymentsContract(open);
    stepRunsContract(open);
    deploymentLogContract(open);
    releasesContract(open);
    statusReadsContract(open);
    secretsContract(open);
    locksContract(open);
    auditLogContract(open);
    tokensContract(open);
    storedSettingsContract(open);
    webhookDeliveriesContract(open);
    commitStatusesContract(open);
    backupRecordsContract(open);
    certificateRecordsContract(open);
    acmeAccountsContract(open);
  });
}
