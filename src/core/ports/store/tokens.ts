// API tokens, stored as hashes only.
import type { ApiToken } from '../../model.js';

export interface Tokens {
  createToken(name: string, hash: string): Promise<ApiToken>;
  findTokenByHash(hash: string): Promise<ApiToken | null>;
  listTokens(): Promise<ApiToken[]>;
  touchToken(id: string, at: string): Promise<void>;
}
