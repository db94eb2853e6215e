// Signals to a whole process group. Every child we start leads its own group (its pid is the
// group id), so signalling the group reaches everything it started too.

/** Sends `signal` to the group led by `pid` (or to `pid` alone when it leads none); false when nothing was there. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false; // already gone
    }
  }
}

/** True while any process of the group led by `pid` is left. */
export function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
