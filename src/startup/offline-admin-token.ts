// `slipway tokens create-admin`: a new admin token made directly in a data dir while its control
// plane is stopped, for someone who lost the token but can read the data dir. Written to
// `<data>/admin.token` (0600), where the CLI finds it, and shown once.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sensitive } from '../core/sensitive.js';
import { TokenService } from '../services/token-service.js';
import { openInstallation } from './open-installation.js';

export async function createAdminTokenOffline(opts: { dataDir: string; name: string; masterKeyFromEnv?: string }): Promise<{ token: Sensitive; file: string }> {
  const installation = await openInstallation(opts);
  try {
    const { token } = await new TokenService(installation.store).create(opts.name);
    const file = path.join(opts.dataDir, 'admin.token');
    await writeFile(file, `${token.reveal()}\n`, { mode: 0o600 });
    return { token, file };
  } finally {
    await installation.close();
  }
}
