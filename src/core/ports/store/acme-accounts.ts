// ACME accounts, one per CA directory URL: created on first use and kept. The account key is
// stored sealed by the secret box (SecretCipher), which lives above the store.

export interface AcmeAccount {
  /** RFC 8555 directory URL the account belongs to. */
  directoryUrl: string;
  /** The account's URL at the CA (its "kid"). */
  accountUrl: string;
  /** The account's private key (PEM), sealed by the secret box. */
  sealedKey: string;
  email: string | null;
  /** ISO 8601, set by the store. */
  createdAt: string;
}

export interface AcmeAccounts {
  getAcmeAccount(directoryUrl: string): Promise<AcmeAccount | null>;
  /**
   * Stores the account of a directory unless that directory has one already; returns the one
   * stored (the first one wins, so two racing registrations end up using the same account).
   */
  keepAcmeAccount(account: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount>;
  /**
   * Replaces the account of a directory the CA no longer knows, if the stored one is still
   * `previousAccountUrl` (two replacing at once end up with one); returns the one stored. With no
   * account stored, stores this one.
   */
  replaceAcmeAccount(previousAccountUrl: string, account: Omit<AcmeAccount, 'createdAt'>): Promise<AcmeAccount>;
}
