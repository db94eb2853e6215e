// Secrets as ciphertext: the secret box that seals and opens them lives above the store.
import type { SecretRef } from '../../model.js';

export interface EncryptedSecret {
  ref: SecretRef;
  /** Opaque ciphertext produced by the secret box (base64). */
  ciphertext: string;
}

export interface EncryptedSecrets {
  putSecret(s: EncryptedSecret): Promise<void>;
  deleteSecret(appId: string, environmentId: string | null, name: string): Promise<boolean>;
  listSecrets(appId: string, environmentId?: string | null): Promise<SecretRef[]>;
  /** App-wide secrets overlaid by the environment's own. */
  secretsFor(appId: string, environmentId: string): Promise<EncryptedSecret[]>;
  allSecrets(): Promise<EncryptedSecret[]>;
}
