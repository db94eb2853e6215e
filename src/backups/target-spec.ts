// Backup targets as configured (`backup_targets` in the control plane's or the app's config),
// and the one place that turns such a spec into a BackupTarget. Credentials are named secrets.
import path from 'node:path';
import { targetSpecSchema, type TargetSpec } from '../core/backup-target-spec.js';
import { PreconditionError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { BackupTarget } from './backup-target.js';
import { LocalDirectoryTarget } from './local-directory-target.js';

export { targetSpecSchema, type TargetSpec };

/** `resolveSecret` returns the decrypted secret by name, or undefined when there is none. */
export async function createTarget(
  spec: TargetSpec,
  opts: { dataDir: string; resolveSecret: (name: string) => Promise<Sensitive | undefined> },
): Promise<BackupTarget> {
  if (spec.kind === 'local') return new LocalDirectoryTarget(spec.path ?? path.join(opts.dataDir, 'backups'));
  const need = async (name: string) => {
    const v = await opts.resolveSecret(name);
    if (!v) throw new PreconditionError(`backup target "${spec.name}" needs the secret ${name}; set it with: slipway secrets set ${name}`);
    return v;
  };
  // The S3 client is large (tens of MB resident): loaded only when an S3 target is used.
  const { S3Target } = await import('./s3-target.js');
  return new S3Target({
    bucket: spec.bucket,
    prefix: spec.prefix,
    region: spec.region,
    endpoint: spec.endpoint,
    accessKeyId: await need(spec.access_key_id_secret),
    secretAccessKey: await need(spec.secret_access_key_secret),
    partSize: spec.part_size_mb * 1024 * 1024,
  });
}
