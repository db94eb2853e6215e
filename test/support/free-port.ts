// A loopback port nobody listens on right now, for programs that must be told their port in a
// config file (Pebble, named) and cannot report one the kernel chose. Free on both TCP and UDP.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

async function tcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

async function udpFree(port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // never bound: nothing to close
      }
    });
  }
}

/** A port free right now on 127.0.0.1 (TCP, and UDP too when `udp` is set); a caller may still lose a race for it, and retries. */
export async function freePort(opts: { udp?: boolean } = {}): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await tcpPort();
    if (!opts.udp || (await udpFree(port))) return port;
  }
  throw new Error('no free loopback port found on TCP and UDP');
}
