// How many refused webhook deliveries per app and provider are answered and recorded one by one:
// `perMinute` in each minute. Beyond that a refusal is answered 429 and only counted here; the
// count is added to the next refusal that is recorded, so the record stays complete while the
// database sees at most `perMinute` writes a minute per app and provider (valid deliveries are
// verified before this is asked, so a flood cannot crowd them out).
export const REJECTIONS_PER_MINUTE = 30;

interface Bucket {
  minute: number;
  used: number;
  /** Refusals answered 429 and not yet added to a recorded one. */
  unrecorded: number;
}

export class RejectionLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute = REJECTIONS_PER_MINUTE) {}

  /**
   * Takes one refusal. `record`: how many refusals to record now (this one plus those held back),
   * or 0 when over the limit (then `retryAfterSeconds` says when the minute ends).
   */
  take(appId: string, provider: string, now: Date): { record: number; retryAfterSeconds: number } {
    const key = `${appId}\0${provider}`;
    const minute = Math.floor(now.getTime() / 60_000);
    let b = this.#buckets.get(key);
    if (!b || b.minute !== minute) {
      b = { minute, used: 0, unrecorded: b?.unrecorded ?? 0 };
      this.#buckets.set(key, b);
      if (this.#buckets.size > 10_000) this.#forgetOld(minute);
    }
    const retryAfterSeconds = 60 - Math.floor((now.getTime() % 60_000) / 1000);
    if (b.used >= this.perMinute) {
      b.unrecorded++;
      return { record: 0, retryAfterSeconds };
    }
    b.used++;
    const record = 1 + b.unrecorded;
    b.unrecorded = 0;
    return { record, retryAfterSeconds };
  }

  #forgetOld(minute: number): void {
    for (const [key, b] of this.#buckets) if (b.minute < minute && b.unrecorded === 0) this.#buckets.delete(key);
  }
}
