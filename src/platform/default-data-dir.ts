// Where Slipway keeps its state when SLIPWAY_DATA_DIR is not set. It must not depend on the
// current directory: the server and the CLI, started from different places, have to agree.
// Root gets the FHS place for a service's state; anyone else the XDG state dir of their home.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export const ROOT_DATA_DIR = '/var/lib/slipway';

export interface DataDirContext {
  uid: number | undefined;
  home: string | undefined;
  xdgStateHome: string | undefined;
}

/** `/var/lib/slipway` for root, else `$XDG_STATE_HOME/slipway`, else `$HOME/.local/state/slipway`. */
export function defaultDataDir(ctx: DataDirContext): string {
  if (ctx.uid === 0) return ROOT_DATA_DIR;
  // The XDG spec: a relative XDG_STATE_HOME is invalid and is to be ignored.
  if (ctx.xdgStateHome && path.isAbsolute(ctx.xdgStateHome)) return path.join(ctx.xdgStateHome, 'slipway');
  if (ctx.home && path.isAbsolute(ctx.home)) return path.join(ctx.home, '.local', 'state', 'slipway');
  throw new Error('no data dir: HOME is not set (or not absolute) and neither is XDG_STATE_HOME; set SLIPWAY_DATA_DIR to an absolute path');
}

/**
 * Creates the data dir (0700) and any missing parents: 0755 as root, so that per-app users can
 * pass through to their release dirs (system-user.ts checks that); 0700 for a user's own.
 */
export async function makeDataDir(dataDir: string, asRoot: boolean): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true, mode: asRoot ? 0o755 : 0o700 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
}
