// Seals secret values before they are stored and opens them for use (the secret box, AES-256-GCM).
import type { Sensitive } from '../sensitive.js';

export interface SecretCipher {
  seal(plain: Sensitive): string;
  open(sealed: string): Sensitive;
}
