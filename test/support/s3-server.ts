// An S3-compatible server for tests: s3rver (npm package "s3rver", a Koa implementation of the
// S3 REST API storing objects on disk, with multipart uploads and SigV4 authentication),
// started as a child process on 127.0.0.1 on a free port and stopped by its pid.
//
// Found through: the project's dependency "s3rver" (devDependency), or the package directory
// given in SLIPWAY_TEST_S3RVER. Missing: the caller skips, except under CI=true where it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps the objects (tests may alter them to simulate damage). */
  dataDir: string;
  stop(): Promise<void>;
}

export function findS3rver(): string | undefined {
  const fromEnv = process.env.SLIPWAY_TEST_S3RVER;
  if (fromEnv) {
    const bin = path.join(fromEnv, 'bin', 's3rver.js');
    return existsSync(bin) ? bin : undefined;
  }
  try {
    const pkg = createRequire(import.meta.url).resolve('s3rver/package.json');
    return path.join(path.dirname(pkg), 'bin', 's3rver.js');
  } catch {
    return undefined;
  }
}

/** Starts s3rver with one bucket; undefined when s3rver is not installed (an error under CI=true). */
export async function startS3Server(bucket = 'slipway-test'): Promise<TestS3Server | undefined> {
  const bin = findS3rver();
  if (!bin) {
    if (process.env.CI === 'true') {
      throw new Error('s3rver is not installed: add the devDependency "s3rver" (or set SLIPWAY_TEST_S3RVER to its package dir)');
    }
    return undefined;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'slipway-s3-'));
  const child = spawn(process.execPath, [bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    await killAndWait(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within 15 s: ${out}`)), 15_000);
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (s: string) => {
        out += s;
        const m = /listening on [\d.]+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.stderr!.on('data', (s: Buffer) => (out += s.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with code ${code}: ${out}`));
      });
    });
    child.stdout!.resume();
    child.stderr!.resume();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      dataDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
