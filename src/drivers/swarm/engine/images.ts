// Building and pushing images through the Engine API (POST /build, POST /images/{name}/push).
import { create as createTar } from 'tar';
import type { Readable } from 'node:stream';
import type { Sensitive } from '../../../core/sensitive.js';
import { StepFailedError } from '../../../core/errors.js';
import type { EngineClient } from './engine-client.js';
import { readJsonLines } from './json-lines.js';

export interface RegistryAuth {
  /** "registry.example.com" or "127.0.0.1:5000" */
  serveraddress: string;
  username: string;
  password: Sensitive;
}

export interface BuildImageRequest {
  contextDir: string;
  /** Full reference to tag, e.g. "127.0.0.1:5000/app:abc1234". */
  tag: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** Builds from a directory (sent as a tar) and resolves with the image id. */
export async function buildImage(engine: EngineClient, req: BuildImageRequest): Promise<string> {
  const context = createTar({ cwd: req.contextDir, portable: true }, ['.']) as unknown as Readable;
  const res = await engine.stream({
    method: 'POST',
    path: '/build',
    query: {
      t: req.tag,
      dockerfile: req.dockerfile,
      rm: true,
      forcerm: true,
      buildargs: req.buildArgs ? JSON.stringify(req.buildArgs) : undefined,
      labels: req.labels ? JSON.stringify(req.labels) : undefined,
    },
    file: context,
    contentType: 'application/x-tar',
    signal: req.signal,
  });
  let id: string | undefined;
  for await (const msg of readJsonLines(res)) {
    if (msg.error) throw new StepFailedError(`image build failed: ${msg.errorDetail?.message ?? msg.error}`, { tag: req.tag });
    if (msg.stream) for (const line of msg.stream.split('\n')) if (line.trim()) req.onLine?.(line);
    const auxId = msg.aux?.['ID'];
    if (typeof auxId === 'string') id = auxId;
  }
  if (!id) {
    const inspect = await engine.request<{ Id: string }>({ method: 'GET', path: `/images/${encodeURIComponent(req.tag)}/json` });
    id = inspect.Id;
  }
  return id;
}

/** Splits "host:5000/app:tag" into repository "host:5000/app" and tag "tag". */
export function splitReference(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

/** Pushes a tagged image; resolves with the registry's digest ("sha256:..."). */
export async function pushImage(engine: EngineClient, ref: string, auth: RegistryAuth | null, onLine?: (line: string) => void, signal?: AbortSignal): Promise<string> {
  const { repository, tag } = splitReference(ref);
  const res = await engine.stream({
    method: 'POST',
    path: `/images/${repository}/push`,
    query: { tag },
    // The Engine requires the header even for registries without auth.
    registryAuth: auth ? { username: auth.username, password: auth.password.reveal(), serveraddress: auth.serveraddress } : { username: '', password: '', serveraddress: '' },
    signal,
  });
  let digest: string | undefined;
  for await (const msg of readJsonLines(res)) {
    if (msg.error) throw new StepFailedError(`push of ${ref} failed: ${msg.errorDetail?.message ?? msg.error}`, { ref });
    const d = msg.aux?.['Digest'];
    if (typeof d === 'string') digest = d;
    if (msg.status && !msg.progress) onLine?.(`${msg.id ? `${msg.id}: ` : ''}${msg.status}`);
  }
  if (!digest) throw new StepFailedError(`push of ${ref} finished without a digest from the registry`, { ref });
  return digest;
}

/** "127.0.0.1:5000/app:abc" + "sha256:..." -> "127.0.0.1:5000/app@sha256:..." */
export function digestReference(ref: string, digest: string): string {
  return `${splitReference(ref).repository}@${digest}`;
}
