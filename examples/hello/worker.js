// Writes a heartbeat file into the shared data dir every second.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';

const file = `data/heartbeat-${process.env.SLIPWAY_INSTANCE ?? '0'}.json`;
mkdirSync('data', { recursive: true });

function beat() {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, release: process.env.SLIPWAY_RELEASE, at: new Date().toISOString() }));
  renameSync(tmp, file);
}

beat();
const timer = setInterval(beat, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
