// The control plane's client of the edge admin API, over the edge's unix socket.
import type { Pool } from 'undici';
import {
  ConflictError,
  EdgeDownError,
  InvalidInputError,
  NotFoundError,
  PreconditionError,
  SlipwayError,
  errorMessage,
  type ErrorCode,
} from '../../core/errors.js';
import type { EdgeControl, EdgeRoute, EdgeRouteState } from '../../core/ports/edge-control.js';
import type { EdgeCertificate, EdgeCertificateState, EdgeChallenge, EdgeOnDemand, EdgeTls, WantedCertificate } from '../../core/ports/edge-tls.js';
import type { RouteHealth } from '../routing/route-health.js';
import type { PutRouteResult } from '../routing/route-registry.js';
import { edgePaths } from './edge-paths.js';

export type { HealthState, RouteHealth, TargetHealth, TargetRole } from '../routing/route-health.js';
export type { PutRouteResult };

export interface EdgeClientOptions {
  /** Time allowed for a put (health gate + drain) before the client gives up (default 10 min). */
  putTimeoutMs?: number;
  /** Time allowed for the other calls (default 30 s). */
  requestTimeoutMs?: number;
}

export class EdgeClient implements EdgeControl, EdgeTls, EdgeOnDemand {
  /** undici is large; the control plane loads it on its first call to the edge. */
  #client: Promise<Pool> | undefined;

  constructor(
    readonly socketPath: string,
    private readonly opts: EdgeClientOptions = {},
  ) {}

  private pool(): Promise<Pool> {
    // Several connections so a long put (health gate + drain) does not hold up other calls;
    // no keep-alive (pipelining 0) so a restarted edge never meets a stale connection.
    this.#client ??= import('undici').then(({ Pool }) => new Pool('http://edge.local', { socketPath: this.socketPath, connections: 8, pipelining: 0 }));
    return this.#client;
  }

  static forDataDir(dataDir: string, opts?: EdgeClientOptions): EdgeClient {
    return new EdgeClient(edgePaths(dataDir).adminSocket, opts);
  }

  /** Health-gated swap; resolves after the old targets drained (or the drain timed out, see `drain`). */
  async putRoute(route: EdgeRoute): Promise<PutRouteResult> {
    return (await this.call('PUT', routePath(route.id), route, this.opts.putTimeoutMs ?? 600_000)) as PutRouteResult;
  }

  async removeRoute(id: string): Promise<void> {
    await this.call('DELETE', routePath(id), undefined, this.opts.putTimeoutMs ?? 600_000);
  }

  async getRoute(id: string): Promise<EdgeRouteState | null> {
    try {
      return (await this.call('GET', routePath(id))) as EdgeRouteState;
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'not_found') return null;
      throw err;
    }
  }

  async listRoutes(): Promise<EdgeRouteState[]> {
    return ((await this.call('GET', '/routes')) as { routes: EdgeRouteState[] }).routes;
  }

  async setMaintenance(id: string, maintenance: { enabled: boolean; message?: string; retryAfterSeconds?: number; page?: 'short' | 'long' }): Promise<void> {
    await this.call('POST', `${routePath(id)}/maintenance`, maintenance);
  }

  async pause(id: string, maxHoldMs?: number): Promise<void> {
    await this.call('POST', `${routePath(id)}/pause`, maxHoldMs === undefined ? {} : { maxHoldMs });
  }

  async resume(id: string): Promise<void> {
    await this.call('POST', `${routePath(id)}/resume`, {});
  }

  /** The health of each target of the route (serving, being admitted by a put, draining); null when the route is unknown. */
  async routeHealth(id: string): Promise<RouteHealth | null> {
    try {
      return (await this.call('GET', `${routePath(id)}/health`)) as RouteHealth;
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'not_found') return null;
      throw err;
    }
  }

  /** The health of every route's targets. */
  async health(): Promise<RouteHealth[]> {
    return ((await this.call('GET', '/health')) as { routes: RouteHealth[] }).routes;
  }

  /** The key is revealed here only, into the request body on the admin socket. */
  async putCertificate(cert: EdgeCertificate): Promise<EdgeCertificateState> {
    const body = { hosts: cert.hosts, certificatePem: cert.certificatePem, keyPem: cert.keyPem.reveal() };
    return (await this.call('PUT', `/certificates/${encodeURIComponent(cert.id)}`, body)) as EdgeCertificateState;
  }

  async removeCertificate(id: string): Promise<void> {
    await this.call('DELETE', `/certificates/${encodeURIComponent(id)}`);
  }

  async listCertificates(): Promise<EdgeCertificateState[]> {
    return ((await this.call('GET', '/certificates')) as { certificates: EdgeCertificateState[] }).certificates;
  }

  async putChallenge(challenge: EdgeChallenge): Promise<void> {
    const body = challenge.type === 'http-01' ? challenge : { ...challenge, keyPem: challenge.keyPem.reveal() };
    await this.call('PUT', '/challenges', body);
  }

  async removeChallenge(type: EdgeChallenge['type'], key: string): Promise<void> {
    await this.call('DELETE', `/challenges/${type}/${encodeURIComponent(key)}`);
  }

  /** Holds `GET /tls/wanted` open (no body timeout: the edge writes only when a name is wanted). */
  async *wantedCertificates(signal: AbortSignal): AsyncIterable<WantedCertificate> {
    let res;
    try {
      res = await (await this.pool()).request({ method: 'GET', path: '/tls/wanted', signal, headersTimeout: 10_000, bodyTimeout: 0 });
    } catch (err) {
      if (signal.aborted) return;
      throw this.connectError(err);
    }
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw toError(safeJson(text), res.statusCode);
    }
    let rest = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        rest += chunk.toString('utf8');
        if (rest.length > 64 * 1024) throw new SlipwayError('internal', 'the edge sent a line longer than 64 KiB on /tls/wanted');
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          const w = safeJson(line) as Partial<WantedCertificate> | undefined;
          if (typeof w?.host === 'string' && typeof w.route === 'string') yield { host: w.host, route: w.route };
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }

  async refuseOnDemand(host: string, seconds: number): Promise<void> {
    await this.call('POST', '/tls/refused', { host, seconds });
  }

  async healthz(): Promise<{ ok: boolean; routes: number }> {
    return (await this.call('GET', '/healthz')) as { ok: boolean; routes: number };
  }

  async close(): Promise<void> {
    if (this.#client) await (await this.#client).close();
  }

  private async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs?: number): Promise<unknown> {
    const timeout = timeoutMs ?? this.opts.requestTimeoutMs ?? 30_000;
    let res;
    try {
      res = await (await this.pool()).request({
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (err) {
      throw this.connectError(err);
    }
    const text = await res.body.text();
    if (res.statusCode === 204) return undefined;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new SlipwayError('internal', `the edge answered ${method} ${path} with ${res.statusCode} and a body that is not JSON`);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return json;
    throw toError(json, res.statusCode);
  }

  private connectError(err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return new EdgeDownError(`the edge is not running: no admin socket at ${this.socketPath}; start it with "slipway edge"`, {
        socketPath: this.socketPath,
      });
    }
    if (code === 'ECONNREFUSED') {
      return new EdgeDownError(
        `the edge is not running: the admin socket ${this.socketPath} refuses connections (left over from a stopped edge); start it with "slipway edge"`,
        { socketPath: this.socketPath },
      );
    }
    return new SlipwayError('unavailable', `cannot reach the edge at ${this.socketPath}: ${errorMessage(err)}`, { socketPath: this.socketPath });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function routePath(id: string): string {
  return `/routes/${encodeURIComponent(id)}`;
}

function toError(json: unknown, status: number): SlipwayError {
  const e = (json as { error?: { code?: ErrorCode; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
  const message = e?.message ?? `the edge answered with status ${status}`;
  const details = e?.details ?? {};
  switch (e?.code) {
    case 'invalid_input':
      return new InvalidInputError(message, details);
    case 'failed_precondition':
      return new PreconditionError(message, details);
    case 'conflict':
      return new ConflictError(message, details);
    case 'not_found': {
      const err = new NotFoundError('edge route', String(details.id ?? ''));
      return Object.assign(err, { message });
    }
    default:
      return new SlipwayError(e?.code ?? 'internal', message, details);
  }
}
