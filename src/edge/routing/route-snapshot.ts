// routes.json: the edge's routes on disk, written atomically (temp file, fsync, rename, fsync dir)
// after every accepted change and read at start so a restarted edge serves what it served.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { EdgeRoute } from '../../core/ports/edge-control.js';
import { edgeRouteSchema } from './route-schema.js';

export interface SnapshotEntry {
  route: EdgeRoute;
  paused: boolean;
  maxHoldMs: number;
}

const snapshotSchema = z.strictObject({
  version: z.literal(1),
  savedAt: z.string(),
  routes: z.array(
    z.strictObject({ route: edgeRouteSchema, paused: z.boolean(), maxHoldMs: z.number().int().min(1) }),
  ),
});

export async function writeSnapshot(file: string, entries: SnapshotEntry[]): Promise<void> {
  const body = JSON.stringify({ version: 1, savedAt: new Date().toISOString(), routes: entries }, null, 2) + '\n';
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Moves a damaged snapshot out of the way (`routes.json.damaged-<time>`, kept for inspection) so
 * the edge can start with no routes; the control plane then gives it every live route again.
 * Returns where the file went.
 */
export async function setAsideSnapshot(file: string): Promise<string> {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return aside;
}

/** The saved routes, or [] when there is no snapshot yet. Throws ConfigError for a damaged file. */
export async function readSnapshot(file: string): Promise<SnapshotEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message}); fix or remove the file to start the edge`, { file });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.map(String).join('.') || '(root)';
    throw new ConfigError(`${file}: ${where}: ${first?.message ?? 'invalid'}; fix or remove the file to start the edge`, {
      file,
      path: where,
    });
  }
  return parsed.data.routes as SnapshotEntry[];
}
