// Every migration this build knows, in order. Append new ones; never edit an applied one.
import { initial } from './001-initial.js';
import { gitDriven } from './002-git-driven.js';
import { backups } from './003-backups.js';
import { aggregatedRejections } from './004-aggregated-rejections.js';
import { acmeAccounts } from './005-acme-accounts.js';
import { certificates } from './006-certificates.js';
import { certificateOrigin } from './007-certificate-origin.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [initial, gitDriven, backups, aggregatedRejections, acmeAccounts, certificates, certificateOrigin];
