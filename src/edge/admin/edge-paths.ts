// Where the edge keeps its files inside the data dir.
import path from 'node:path';

export interface EdgePaths {
  dir: string;
  adminSocket: string;
  snapshot: string;
  pidFile: string;
  stateFile: string;
  /** One JSON file per certificate (tls/certificate-store.ts). */
  certsDir: string;
}

export function edgePaths(dataDir: string): EdgePaths {
  const dir = path.join(dataDir, 'edge');
  return {
    dir,
    adminSocket: path.join(dir, 'admin.sock'),
    snapshot: path.join(dir, 'routes.json'),
    pidFile: path.join(dir, 'edge.pid'),
    stateFile: path.join(dir, 'edge.json'),
    certsDir: path.join(dir, 'certs'),
  };
}
