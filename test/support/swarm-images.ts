// Tiny test images with no base image (nothing can be pulled here): FROM scratch + the host's
// static busybox (Debian's busybox-static) + the given files, built through the Engine API
// and pushed to the local test registry. Returns the digest reference.
import { mkdtemp, mkdir, copyFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineClient } from '../../src/drivers/swarm/engine/engine-client.js';
import { buildImage, digestReference, pushImage } from '../../src/drivers/swarm/engine/images.js';

export const BUSYBOX = '/bin/busybox';

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY files/ /
CMD ["/bin/sh"]
`;

export function busyboxAvailable(): string | null {
  return existsSync(BUSYBOX) ? null : `${BUSYBOX} is missing: apt-get install -y busybox-static`;
}

/** Writes a build context (Dockerfile, busybox, files) into `dir`. */
export async function writeBusyboxContext(dir: string, files: Record<string, string>): Promise<void> {
  await writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
  await copyFile(BUSYBOX, path.join(dir, 'busybox'));
  const all = { 'www/index.html': 'ok\n', ...files };
  for (const [rel, content] of Object.entries(all)) {
    const target = path.join(dir, 'files', rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content, { mode: 0o755 });
  }
}

/** A skip reason outside CI when busybox is missing; under CI=true a missing busybox fails the suite. */
export function busyboxSkip(): string | false {
  const missing = busyboxAvailable();
  if (missing && process.env['CI'] === 'true') throw new Error(`Swarm suite: ${missing} (CI=true: the Swarm suite must run, not skip)`);
  return missing ?? false;
}

const built = new Map<string, string>();

/** Builds `<registry>/<name>:<tag>` with `files`, pushes it and returns `<registry>/<name>@sha256:…`. */
export async function buildTestImage(engine: EngineClient, registry: string, name: string, tag: string, files: Record<string, string> = {}): Promise<string> {
  const ref = `${registry}/${name}:${tag}`;
  const key = `${ref}\n${JSON.stringify(files)}`;
  const cached = built.get(key);
  if (cached) return cached;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-img-'));
  try {
    await writeBusyboxContext(dir, files);
    await buildImage(engine, { contextDir: dir, tag: ref });
    const digest = await pushImage(engine, ref, null);
    const out = digestReference(ref, digest);
    built.set(key, out);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A web server image answering on :8080 with `version` at / and /health (for healthchecks). */
export function webFiles(version: string): Record<string, string> {
  return { 'www/index.html': `${version}\n`, 'www/health': 'ok\n' };
}
