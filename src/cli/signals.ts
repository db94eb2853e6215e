// Waits for the first SIGINT or SIGTERM (long-running commands then close what they started).

export function untilSignal(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      for (const t of signals) process.off(t, on);
      resolve(s);
    };
    for (const s of signals) process.on(s, on);
  });
}

/** Calls `fn` on the first SIGINT while registered; returns the function that unregisters it. */
export function onInterrupt(fn: () => void): () => void {
  const handler = () => fn();
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}
