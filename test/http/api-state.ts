// What the API says exists (apps, environments, deployments, secrets, locks, live releases), to
// prove that a refused request changed nothing; and the shape every error response must have.
import assert from 'node:assert/strict';
import type { ApiResponse, TestControlPlane } from './control-plane.js';

export interface ApiState {
  apps: unknown;
  deployments: unknown;
  locks: unknown;
  status: unknown;
  secrets: Record<string, unknown>;
}

export async function apiState(cp: TestControlPlane): Promise<ApiState> {
  const get = async (p: string): Promise<unknown> => {
    const r = await cp.request('GET', p);
    assert.equal(r.status, 200, `GET ${p}: ${r.text}`);
    return r.json;
  };
  const apps = (await get('/api/apps')) as { apps: { name: string }[] };
  const secrets: Record<string, unknown> = {};
  for (const a of apps.apps) secrets[a.name] = await get(`/api/apps/${a.name}/secrets`);
  return {
    apps,
    deployments: await get('/api/deployments?limit=1000'),
    locks: await get('/api/locks'),
    status: await get('/api/status'),
    secrets,
  };
}

export interface ExpectedError {
  status: number;
  code?: string;
  /** The message must match this (it says what is wrong). */
  message: RegExp;
}

/** Asserts the status, `{ error: { code, message, details } }` and a useful message. */
export function assertError(res: ApiResponse, want: ExpectedError, what: string): { code: string; message: string; details: Record<string, unknown> } {
  assert.equal(res.status, want.status, `${what}: expected ${want.status}, got ${res.status}: ${res.text}`);
  assert.match(res.contentType, /^application\/json/, `${what}: content-type ${res.contentType}`);
  const body = res.json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  assert.ok(body && typeof body === 'object' && body.error && typeof body.error === 'object', `${what}: no error object in ${res.text}`);
  const { code, message, details } = body.error;
  assert.equal(typeof code, 'string', `${what}: error.code`);
  assert.equal(typeof message, 'string', `${what}: error.message`);
  assert.ok(details !== null && typeof details === 'object' && !Array.isArray(details), `${what}: error.details must be an object: ${res.text}`);
  assert.deepEqual(Object.keys(body).sort(), ['error'], `${what}: only "error" at the top level`);
  if (want.code) assert.equal(code, want.code, `${what}: error.code`);
  assert.match(message as string, want.message, `${what}: the message should say what is wrong`);
  return { code: code as string, message: message as string, details: details as Record<string, unknown> };
}
