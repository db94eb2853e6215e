// Backup targets as configured (`backup_targets` in slipway.yml): a pure schema, in core so the
// app spec can validate it. src/backups/target-spec.ts turns a spec into a BackupTarget.
import { z } from 'zod';

const secretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a secret name like S3_ACCESS_KEY_ID');
const targetName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'expected a lowercase name');

export const targetSpecSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      name: targetName,
      kind: z.literal('local'),
      path: z.string().min(1).optional().describe('Directory for backups; default <data dir>/backups.'),
    })
    .describe('Backups in a directory on the control plane machine.'),
  z
    .strictObject({
      name: targetName,
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
