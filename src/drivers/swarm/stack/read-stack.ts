// Reads an app's compose file from disk and converts it to a StackPlan: `file:` sources are
// read relative to the compose file, `environment:` sources come from the app's secrets
// (then its plain variables), `content:` is inline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../core/errors.js';
import type { Sensitive } from '../../../core/sensitive.js';
import type { ComposeFileObject } from '../compose/compose-schema.js';
import { convertStack, type StackPlan } from '../compose/convert-stack.js';
import { loadCompose } from '../compose/load-compose.js';

export interface ReadStackRequest {
  composePath: string;
  stack: string;
  /** Variables for interpolation and `environment:` sources. */
  variables: Record<string, string>;
  secrets?: Record<string, Sensitive>;
  images?: Record<string, string>;
  versioned?: boolean;
  services?: string[];
}

export function readStack(req: ReadStackRequest): StackPlan {
  let text: string;
  try {
    text = readFileSync(req.composePath, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the compose file ${req.composePath}: ${(err as Error).message}; set swarm.compose in slipway.yml to its path in the repository`);
  }
  const fileName = path.basename(req.composePath);
  const dir = path.dirname(req.composePath);
  const { file, warnings } = loadCompose(text, req.variables, fileName);
  const objectData = (_kind: 'secret' | 'config', _key: string, def: ComposeFileObject): Buffer | undefined => {
    if (def.content !== undefined) return Buffer.from(def.content);
    if (def.environment !== undefined) {
      const secret = req.secrets?.[def.environment];
      if (secret) return Buffer.from(secret.reveal());
      const plain = req.variables[def.environment];
      return plain === undefined ? undefined : Buffer.from(plain);
    }
    if (def.file !== undefined) {
      const resolved = path.resolve(dir, def.file);
      if (path.relative(dir, resolved).startsWith('..')) return undefined;
      try {
        return readFileSync(resolved);
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
  return convertStack(file, { stack: req.stack, images: req.images, objectData, versioned: req.versioned, services: req.services, fileName }, warnings);
}
