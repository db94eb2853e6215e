// The edge's image, with no base image: FROM scratch + this host's node binary + the shared
// libraries `ldd` lists for it + the single-file edge bundle. Tagged by a hash of its content
// (an unchanged edge is never rebuilt), built through POST /build and pushed to the registry.
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../../core/errors.js';
import { runChecked } from '../../../platform/exec.js';
import type { EngineClient } from '../engine/engine-client.js';
import { EngineApiError } from '../engine/errors.js';
import { buildImage, digestReference, pushImage, type RegistryAuth } from '../engine/images.js';

/** Where the bundle lives in the image; the entrypoint runs it with node. */
export const EDGE_PROGRAM = '/app/edge.mjs';
export const EDGE_NODE = '/usr/bin/node';

export interface EdgeImageInputs {
  /** The host's node binary (default: the running one). */
  nodeBinary: string;
  /** dist/bundle/edge.mjs */
  bundlePath: string;
}

/** Host path -> path in the image, for node and every library it loads (symlinks resolved). */
export async function edgeImageFiles(inputs: EdgeImageInputs): Promise<Map<string, string>> {
  const node = realpathSync(inputs.nodeBinary);
  const files = new Map<string, string>([[EDGE_NODE, node]]);
  const { stdout } = await runChecked(['ldd', node], { timeoutMs: 10_000 }).catch((err: Error) => {
    throw new ConfigError(`cannot list the shared libraries of ${node} with ldd (${err.message}); the edge image needs them (apt-get install -y libc-bin)`);
  });
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m?.[1]) files.set(m[1], realpathSync(m[1]));
    if (/=>\s*not found/.test(line)) throw new ConfigError(`ldd ${node}: ${line.trim()}; the edge image cannot be assembled`);
  }
  files.set(EDGE_PROGRAM, inputs.bundlePath);
  return files;
}

export function edgeDockerfile(): string {
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    'ENV SLIPWAY_DATA_DIR=/data SLIPWAY_EDGE_HOST=0.0.0.0 SLIPWAY_EDGE_PORT=8080',
    'EXPOSE 8080',
    `ENTRYPOINT ["${EDGE_NODE}", "${EDGE_PROGRAM}"]`,
    '',
  ].join('\n');
}

/** sha256 of the Dockerfile and every file (path and content): the image's tag. */
export async function edgeContentHash(files: Map<string, string>): Promise<string> {
  const h = createHash('sha256').update(edgeDockerfile());
  for (const [target, source] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    h.update(`\n${target}\n`);
    for await (const chunk of createReadStream(source)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

export interface EdgeImage {
  /** "<registry>/slipway-edge@sha256:…" */
  image: string;
  tag: string;
  contentHash: string;
  built: boolean;
}

export async function ensureEdgeImage(
  engine: EngineClient,
  opts: EdgeImageInputs & { registry: string; registryAuth?: RegistryAuth | null; log?: (line: string) => void; signal?: AbortSignal },
): Promise<EdgeImage> {
  const files = await edgeImageFiles(opts);
  const contentHash = await edgeContentHash(files);
  const tag = `${opts.registry}/slipway-edge:${contentHash.slice(0, 12)}`;
  let built = false;
  if (!(await imageExists(engine, tag))) {
    opts.log?.(`building the edge image ${tag}`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-edge-image-'));
    try {
      for (const [target, source] of files) {
        const dest = path.join(dir, 'rootfs', target);
        await mkdir(path.dirname(dest), { recursive: true });
        await copyFile(source, dest);
      }
      for (const empty of ['tmp', 'data', 'etc']) await mkdir(path.join(dir, 'rootfs', empty), { recursive: true });
      await writeFile(path.join(dir, 'rootfs/etc/nsswitch.conf'), 'hosts: files dns\n');
      await writeFile(path.join(dir, 'Dockerfile'), edgeDockerfile());
      await buildImage(engine, { contextDir: dir, tag, labels: { 'com.slipway.edge': 'true', 'com.slipway.edge.content': contentHash }, signal: opts.signal });
      built = true;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const digest = await pushImage(engine, tag, opts.registryAuth ?? null, undefined, opts.signal);
  return { image: digestReference(tag, digest), tag, contentHash, built };
}

async function imageExists(engine: EngineClient, ref: string): Promise<boolean> {
  try {
    await engine.request({ method: 'GET', path: `/images/${encodeURIComponent(ref)}/json` });
    return true;
  } catch (err) {
    if (err instanceof EngineApiError && err.status === 404) return false;
    throw err;
  }
}
