// API tokens: random, shown once, stored as a SHA-256 hash (they are high-entropy, so a fast
// hash is enough; a password hash would only slow every request down).
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken } from '../core/model.js';
import type { Tokens } from '../core/ports/store/tokens.js';
import { Sensitive } from '../core/sensitive.js';
import type { Actor } from './actor.js';

const PREFIX = 'slw_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenService {
  constructor(private readonly store: Tokens) {}

  async create(name: string): Promise<{ token: Sensitive; record: ApiToken }> {
    const plain = PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.createToken(name, hashToken(plain));
    return { token: new Sensitive(plain), record };
  }

  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(PREFIX) || token.length > 200) return null;
    const record = await this.store.findTokenByHash(hashToken(token));
    if (!record) return null;
    void this.store.touchToken(record.id, new Date().toISOString()).catch(() => undefined);
    return { name: record.name };
  }

  async isEmpty(): Promise<boolean> {
    return (await this.store.listTokens()).length === 0;
  }
}
