// Follows a deployment's log to its terminal status across dropped connections: each
// reconnection asks for the lines after the last one seen, so nothing is shown twice or lost.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../core/errors.js';
import { isTerminal } from '../core/model.js';
import type { ApiClient, FollowEvent } from './api-client.js';
import { ApiError } from './api-error.js';
import { ServerUnreachableError } from './server-unreachable.js';

export interface FollowOptions {
  /** Show only lines after this sequence number. */
  after?: number;
  signal?: AbortSignal;
  /** Pause before each consecutive reconnection attempt; its length is the number of attempts. */
  retryDelaysMs?: readonly number[];
  /** Milliseconds without any event before a connection is considered dead. */
  idleTimeoutMs?: number;
  onReconnect?: (info: { attempt: number; after: number; reason: string }) => void;
  /** A fresh client after the server could not be reached (it may have restarted on another port). */
  rediscover?: () => Promise<ApiClient>;
}

const DEFAULT_DELAYS = [100, 250, 500, 1000, 2000, 4000, 4000, 4000];

export async function* followDeployment(first: ApiClient, id: string, opts: FollowOptions = {}): AsyncGenerator<FollowEvent> {
  let client = first;
  const delays = opts.retryDelaysMs ?? DEFAULT_DELAYS;
  let after = opts.after ?? 0;
  let failures = 0;
  for (;;) {
    let reason = 'the stream ended before the deployment finished';
    try {
      for await (const event of client.followLog(id, after, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}) })) {
        if (event.type === 'log') {
          if (event.line.seq <= after) continue;
          after = event.line.seq;
          failures = 0;
          yield event;
        } else if (event.type === 'status') {
          yield event;
          if (isTerminal(event.deployment.status)) return;
        } else {
          yield event;
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (err instanceof ApiError && err.status < 500) throw err;
      reason = errorMessage(err);
    }
    // The stream broke off. Ask the server directly: the deployment may have finished meanwhile.
    try {
      const { deployment } = await client.getDeployment(id);
      if (isTerminal(deployment.status)) {
        for (const line of (await client.readLog(id, after)).lines) {
          if (line.seq <= after) continue;
          after = line.seq;
          yield { type: 'log', line };
        }
        yield { type: 'status', deployment };
        return;
      }
      failures = 0; // the server is there; only its stream dropped
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) throw err;
      failures += 1;
      reason = errorMessage(err);
      if (opts.rediscover) client = await opts.rediscover().catch(() => client);
    }
    const delay = delays[Math.min(failures, delays.length - 1)];
    if (failures >= delays.length || delay === undefined) {
      throw new ServerUnreachableError(
        `lost the log stream of deployment ${id} (${reason}); the deployment goes on without you: follow it with \`slipway deployments logs ${id} --follow\``,
        { deploymentId: id, after },
      );
    }
    opts.onReconnect?.({ attempt: failures + 1, after, reason });
    await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}
