// Free loopback ports for http instances: bound once to prove they are free, then released.
import net from 'node:net';

export interface PortRange {
  min: number;
  max: number;
}

export async function allocatePorts(count: number, range?: PortRange): Promise<number[]> {
  const ports: number[] = [];
  if (!range) {
    while (ports.length < count) {
      const p = await tryBind(0);
      if (p !== null && !ports.includes(p)) ports.push(p);
    }
    return ports;
  }
  const size = range.max - range.min + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size && ports.length < count; i++) {
    const candidate = range.min + ((start + i) % size);
    if ((await tryBind(candidate)) !== null) ports.push(candidate);
  }
  if (ports.length < count) {
    throw new Error(`only ${ports.length} of ${count} ports are free in ${range.min}-${range.max}; widen portRange`);
  }
  return ports;
}

function tryBind(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : null;
      server.close(() => resolve(bound));
    });
  });
}
