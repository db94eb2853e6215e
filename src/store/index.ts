export { openSqliteStore, type OpenSqliteStoreOptions } from './open-sqlite-store.js';
export { SqliteStore } from './sqlite-store.js';
export { newId, type IdPrefix } from './ids.js';
