// Key/value settings of the control plane itself (webhook secrets, schedules' last runs, ...).

export interface StoredSettings {
  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;
}
