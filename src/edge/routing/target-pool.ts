// Round robin over a route's healthy targets; fails open (all targets) when none is healthy.
import type { UpstreamTarget } from '../proxy/upstream-target.js';

export class TargetPool {
  private rotation: UpstreamTarget[];
  private cursor = 0;
  /** True when no target is healthy and traffic goes to all of them anyway. */
  failingOpen = false;

  constructor(readonly targets: readonly UpstreamTarget[]) {
    this.rotation = [...targets];
    this.refresh();
  }

  /** Recomputes the rotation after a health change; returns true if fail-open just started. */
  refresh(): boolean {
    const healthy = this.targets.filter((t) => t.healthy);
    const wasFailingOpen = this.failingOpen;
    this.failingOpen = healthy.length === 0 && this.targets.length > 0;
    this.rotation = this.failingOpen ? [...this.targets] : healthy;
    return this.failingOpen && !wasFailingOpen;
  }

  next(exclude?: UpstreamTarget): UpstreamTarget | undefined {
    const rotation = this.rotation;
    const n = rotation.length;
    if (n === 0) return undefined;
    for (let i = 0; i < n; i++) {
      this.cursor = (this.cursor + 1) % n;
      const t = rotation[this.cursor];
      if (t !== undefined && t !== exclude) return t;
    }
    return undefined;
  }

  find(url: string): UpstreamTarget | undefined {
    return this.targets.find((t) => t.url === url);
  }
}
