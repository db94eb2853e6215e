// Polls `cond` until it holds, failing with what was awaited once `timeoutMs` has passed.
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 3000, stepMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}
