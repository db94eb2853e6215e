// A tiny in-memory EdgeControl that records every call, for driver tests.
import type { EdgeControl, EdgeRoute, EdgeRouteState } from '../../../src/core/ports/edge-control.js';

export class RecordingEdge implements EdgeControl {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly routes = new Map<string, EdgeRouteState>();

  async putRoute(route: EdgeRoute): Promise<EdgeRouteState> {
    this.calls.push({ method: 'putRoute', args: [route] });
    const state: EdgeRouteState = { ...route, paused: false, inFlight: {} };
    this.routes.set(route.id, state);
    return state;
  }

  async removeRoute(id: string): Promise<void> {
    this.calls.push({ method: 'removeRoute', args: [id] });
    this.routes.delete(id);
  }

  async getRoute(id: string): Promise<EdgeRouteState | null> {
    return this.routes.get(id) ?? null;
  }

  async listRoutes(): Promise<EdgeRouteState[]> {
    return [...this.routes.values()];
  }

  async setMaintenance(id: string, m: { enabled: boolean; message?: string; retryAfterSeconds?: number }): Promise<void> {
    this.calls.push({ method: 'setMaintenance', args: [id, m] });
    const r = this.routes.get(id);
    if (r) r.maintenance = { enabled: m.enabled, message: m.message ?? '', retryAfterSeconds: m.retryAfterSeconds ?? 30 };
  }

  async pause(id: string): Promise<void> {
    this.calls.push({ method: 'pause', args: [id] });
  }

  async resume(id: string): Promise<void> {
    this.calls.push({ method: 'resume', args: [id] });
  }
}
