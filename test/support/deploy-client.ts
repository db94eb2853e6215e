// Drives a running control plane through its HTTP API with the CLI's own typed client.
import { Sensitive } from '../../src/core/sensitive.js';
import type { Deployment } from '../../src/core/model.js';
import { ApiClient } from '../../src/cli/api-client.js';

export const TERMINAL = ['succeeded', 'failed', 'rolled_back', 'compensation_failed', 'cancelled', 'superseded'];

export function apiClient(url: string, token: string): ApiClient {
  return new ApiClient(url, new Sensitive(token));
}

export async function waitTerminal(client: ApiClient, id: string, timeoutMs = 60_000): Promise<Deployment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { deployment } = await client.getDeployment(id);
    if (TERMINAL.includes(deployment.status)) return deployment;
    if (Date.now() > deadline) throw new Error(`deployment ${id} still ${deployment.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function logText(client: ApiClient, id: string): Promise<string> {
  const { lines } = await client.readLog(id);
  return lines.map((l) => l.text).join('\n');
}
