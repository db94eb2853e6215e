// Backup records (the bytes live on a backup target).
import type { Backup } from '../../model.js';

export interface BackupFilter {
  appId?: string;
  environmentId?: string;
  database?: string;
  releaseId?: string;
  reason?: Backup['reason'];
  limit?: number;
}

export interface BackupRecords {
  addBackup(b: Omit<Backup, 'createdAt' | 'verifiedAt'> & { createdAt?: string }): Promise<Backup>;
  getBackup(id: string): Promise<Backup | null>;
  /** Newest first. */
  listBackups(filter: BackupFilter): Promise<Backup[]>;
  updateBackup(id: string, patch: Partial<Pick<Backup, 'status' | 'verdict' | 'verifiedAt' | 'releaseId'>>): Promise<void>;
  deleteBackup(id: string): Promise<boolean>;
}
