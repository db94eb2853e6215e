// The admin API's unix socket: refuses to start over a live edge, removes a stale socket file,
// listens with mode 0600 inside a 0700 directory.
import { chmod, mkdir, unlink } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { ConfigError, ConflictError } from '../../core/errors.js';

/** Linux limits a unix socket path to 107 bytes. */
const MAX_SOCKET_PATH = 107;

/**
 * Refuses to go on when another edge serves this data dir (its admin socket answers): called
 * before the edge listens or writes anything, so a refused start touches nothing of the running one.
 */
export async function assertNoLiveEdge(socketPath: string): Promise<void> {
  if (await answers(socketPath)) {
    throw new ConflictError(`another edge is already running: its admin socket ${socketPath} answers; stop it first`, { socketPath });
  }
}

export async function listenAdminSocket(server: http.Server, socketPath: string): Promise<void> {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new ConfigError(
      `the edge admin socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter SLIPWAY_DATA_DIR`,
      { socketPath },
    );
  }
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(socketPath), 0o700);
  await assertNoLiveEdge(socketPath);
  await unlink(socketPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, 0o600);
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
