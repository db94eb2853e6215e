import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { after, before, test } from 'node:test';
import { S3Target } from '../../src/backups/s3-target.js';
import { Sensitive } from '../../src/core/sensitive.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { targetContract } from './backup-target.contract.js';

let server: TestS3Server | undefined;
const targets: S3Target[] = [];
let raw: S3Client | undefined;
let n = 0;

before(async () => {
  server = await startS3Server();
  if (server) {
    raw = new S3Client({
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  }
});
after(async () => {
  for (const t of targets) t.destroy();
  raw?.destroy();
  await server?.stop();
});

export function s3TargetFor(s: TestS3Server, prefix: string, extra: { partSize?: number; endpoint?: string; maxAttempts?: number } = {}): S3Target {
  const t = new S3Target({
    bucket: s.bucket,
    prefix,
    region: s.region,
    endpoint: extra.endpoint ?? s.endpoint,
    accessKeyId: new Sensitive(s.accessKeyId),
    secretAccessKey: new Sensitive(s.secretAccessKey),
    partSize: extra.partSize ?? 5 * 1024 * 1024,
    maxAttempts: extra.maxAttempts,
  });
  targets.push(t);
  return t;
}

test('s3rver is available (skipped outside CI when it is not installed)', (t) => {
  if (!server) t.skip('s3rver not installed; set SLIPWAY_TEST_S3RVER or add the devDependency');
});

targetContract('S3Target', async () => {
  if (!server) throw new Error('s3rver not running');
  const prefix = `contract-${n++}`;
  const target = s3TargetFor(server, prefix);
  return {
    target,
    // Overwriting with the raw client drops the sha256 metadata; put it back so that only
    // the bytes differ, like damage at rest would.
    overwrite: async (key, bytes) => {
      const st = await target.stat(key);
      await raw!.send(
        new PutObjectCommand({
          Bucket: server!.bucket,
          Key: `${prefix}/${key}`,
          Body: bytes,
          Metadata: st?.sha256 ? { 'slipway-sha256': st.sha256 } : {},
        }),
      );
    },
  };
});
