// Progress lines for long dumps and uploads: at most one line per 16 MiB or 5 s, plus the total.
export function progressReporter(log: (line: string) => void, label: string): { onProgress(bytes: number): void } {
  let lastBytes = 0;
  let lastAt = Date.now();
  return {
    onProgress(bytes) {
      const now = Date.now();
      if (bytes - lastBytes < 16 * 1024 * 1024 && now - lastAt < 5000) return;
      lastBytes = bytes;
      lastAt = now;
      log(`${label}: ${formatBytes(bytes)} written`);
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
