// Backup targets as configured (`backup_targets` in the control plane's or the app's config),
// and the one place that turns such a spec into a BackupTarget. Credentials are named secrets.
import path from 'node:path';
import { z } from 'zod';
import { PreconditionError } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { BackupTarget } from './backup-target.js';
import { LocalDirectoryTarget } from './local-directory-target.js';
import { S3Target } from './s3-target.js';

const secretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a secret name like S3_ACCESS_KEY_ID');

export const targetSpecSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lowercase name'),
      kind: z.literal('local'),
      path: z.string().min(1).optional().describe('Directory for backups; default <data dir>/backups.'),
    })
    .describe('Backups in a directory on the control plane machine.'),
  z
    .strictObject({
      name: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lowercase name'),
      kind: z.literal('s3'),
      bucket: z.string().min(3),
      prefix: z.string().default(''),
      region: z.string().min(1).default('us-east-1'),
      endpoint: z.string().url().optional().describe('For S3-compatible storage, e.g. https://s3.example.net'),
      access_key_id_secret: secretName,
      secret_access_key_secret: secretName,
      part_size_mb: z.number().int().min(5).max(5120).default(8),
    })
    .describe('Backups in S3-compatible object storage (multipart uploads, verified by reading back).'),
]);

export type TargetSpec = z.output<typeof targetSpecSchema>;

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
