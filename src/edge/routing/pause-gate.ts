// Holds a route's new requests while paused and releases them in arrival order on resume.

export const DEFAULT_MAX_HOLD_MS = 30_000;

interface Waiter {
  release: () => void;
  expire: () => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

export class PauseGate {
  paused = false;
  maxHoldMs = DEFAULT_MAX_HOLD_MS;
  private queue: Waiter[] = [];

  pause(maxHoldMs = DEFAULT_MAX_HOLD_MS): void {
    this.paused = true;
    this.maxHoldMs = maxHoldMs;
  }

  get held(): number {
    return this.queue.length;
  }

  /** Queues a request: `release` runs on resume, `expire` after maxHoldMs. Returns a cancel function. */
  hold(release: () => void, expire: () => void): () => void {
    const waiter: Waiter = {
      release,
      expire,
      done: false,
      timer: setTimeout(() => {
        waiter.done = true;
        this.queue = this.queue.filter((w) => w !== waiter);
        expire();
      }, this.maxHoldMs),
    };
    this.queue.push(waiter);
    return () => {
      if (waiter.done) return;
      waiter.done = true;
      clearTimeout(waiter.timer);
      this.queue = this.queue.filter((w) => w !== waiter);
    };
  }

  resume(): void {
    this.paused = false;
    this.flush((w) => w.release());
  }

  /** Ends every held request with `expire` (used when the route goes away or the edge stops). */
  expireAll(): void {
    this.flush((w) => w.expire());
  }

  private flush(each: (w: Waiter) => void): void {
    const queue = this.queue;
    this.queue = [];
    for (const w of queue) {
      if (w.done) continue;
      w.done = true;
      clearTimeout(w.timer);
      each(w);
    }
  }
}
