import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { LocalDirectoryTarget } from '../../src/backups/local-directory-target.js';
import { targetContract } from './backup-target.contract.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

targetContract('LocalDirectoryTarget', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-local-target-'));
  dirs.push(dir);
  return {
    target: new LocalDirectoryTarget(dir),
    overwrite: (key, bytes) => writeFile(path.join(dir, key), bytes),
  };
});
