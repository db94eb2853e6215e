// Apps and their environments (an app's environments come from its spec's `environments`).
import type { App, Environment } from '../../model.js';

export interface AppsAndEnvironments {
  createApp(app: Omit<App, 'id' | 'createdAt'>, environments: { name: string; branch: string | null }[]): Promise<App>;
  getApp(idOrName: string): Promise<App | null>;
  listApps(): Promise<App[]>;
  /** Adds environments that the app's spec gained; never removes any. */
  ensureEnvironments(appId: string, environments: { name: string; branch: string | null }[]): Promise<Environment[]>;
  listEnvironments(appId?: string): Promise<Environment[]>;
  getEnvironment(appId: string, name: string): Promise<Environment | null>;
  getEnvironmentById(id: string): Promise<Environment | null>;
}
