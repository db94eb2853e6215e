// Waits for the first SIGINT or SIGTERM (long-running commands then close what they started).

export function untilSignal(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      for (const t of signals) process.off(t, on);
      forceOnNextSignal(signals);
      resolve(s);
    };
    for (const s of signals) process.on(s, on);
  });
}

/**
 * While a command closes after a first signal, a second one ends the process at once: our
 * handlers are removed and the signal raised again, so its default action (termination) runs.
 */
function forceOnNextSignal(signals: NodeJS.Signals[]): void {
  const again = (s: NodeJS.Signals) => {
    for (const t of signals) process.off(t, again);
    process.kill(process.pid, s);
  };
  for (const s of signals) process.once(s, again);
}

/** The first SIGINT/SIGTERM, or `'shutdown'` when `shutdown` resolves first (`slipway down`). */
export function untilSignalOr(shutdown: Promise<void>): Promise<NodeJS.Signals | 'shutdown'> {
  return Promise.race([untilSignal(), shutdown.then(() => 'shutdown' as const)]);
}

/** Calls `fn` on the first SIGINT while registered; returns the function that unregisters it. */
export function onInterrupt(fn: () => void): () => void {
  const handler = () => fn();
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
