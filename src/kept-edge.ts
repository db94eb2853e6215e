// Part of the composition root: the edge as the control plane drives it while an EdgeKeeper
// watches it. A call that finds the edge down has it restarted at once and is tried again; if the
// edge cannot be restarted, the call fails with an EdgeDownError that says so.
import { EdgeDownError } from './core/errors.js';
import type { EdgeControl, EdgeRoute, EdgeRouteState } from './core/ports/edge-control.js';
import type { EdgeCertificate, EdgeCertificateState, EdgeChallenge, EdgeTls } from './core/ports/edge-tls.js';

export class KeptEdge implements EdgeControl, EdgeTls {
  constructor(
    private readonly client: EdgeControl & EdgeTls,
    private readonly keeper: { ensureUp(): Promise<void> },
  ) {}

  putRoute(route: EdgeRoute): Promise<EdgeRouteState> {
    return this.#call(() => this.client.putRoute(route));
  }

  removeRoute(id: string): Promise<void> {
    return this.#call(() => this.client.removeRoute(id));
  }

  getRoute(id: string): Promise<EdgeRouteState | null> {
    return this.#call(() => this.client.getRoute(id));
  }

  listRoutes(): Promise<EdgeRouteState[]> {
    return this.#call(() => this.client.listRoutes());
  }

  setMaintenance(id: string, maintenance: { enabled: boolean; message?: string; retryAfterSeconds?: number; page?: 'short' | 'long' }): Promise<void> {
    return this.#call(() => this.client.setMaintenance(id, maintenance));
  }

  pause(id: string, maxHoldMs?: number): Promise<void> {
    return this.#call(() => this.client.pause(id, maxHoldMs));
  }

  resume(id: string): Promise<void> {
    return this.#call(() => this.client.resume(id));
  }

  putCertificate(cert: EdgeCertificate): Promise<EdgeCertificateState> {
    return this.#call(() => this.client.putCertificate(cert));
  }

  removeCertificate(id: string): Promise<void> {
    return this.#call(() => this.client.removeCertificate(id));
  }

  listCertificates(): Promise<EdgeCertificateState[]> {
    return this.#call(() => this.client.listCertificates());
  }

  putChallenge(challenge: EdgeChallenge): Promise<void> {
    return this.#call(() => this.client.putChallenge(challenge));
  }

  removeChallenge(type: EdgeChallenge['type'], key: string): Promise<void> {
    return this.#call(() => this.client.removeChallenge(type, key));
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof EdgeDownError)) throw err;
      await this.keeper.ensureUp();
      return fn();
    }
  }
}
