// TLS 1.2 session-id resumption for the HTTPS listener. Node's server keeps no session cache of its
// own (OpenSSL's internal cache is off) and asks through 'newSession'/'resumeSession'; this is a
// bounded in-memory cache for those events: oldest out first, entries expire with the session.
// (TLS 1.3 and ticket-capable 1.2 clients resume with tickets, which need no cache.)

export class SessionCache {
  private readonly sessions = new Map<string, { data: Buffer; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly ttlMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  set(id: Buffer, data: Buffer): void {
    const key = id.toString('hex');
    this.sessions.delete(key);
    this.sessions.set(key, { data, expiresAt: this.now() + this.ttlMs });
    if (this.sessions.size > this.maxEntries) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
  }

  get(id: Buffer): Buffer | null {
    const key = id.toString('hex');
    const entry = this.sessions.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return null;
    }
    return entry.data;
  }

  get size(): number {
    return this.sessions.size;
  }
}
