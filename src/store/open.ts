/**
 * The store the configuration asks for: PostgreSQL when DATABASE_URL is set (instances share it),
 * else the embedded SQLite file at DATABASE_PATH. Throws StoreError saying what is wrong.
 */
import type { Store } from './port.js';
import { SqliteStore } from './store.js';

export async function openStore(config: { DATABASE_URL?: string | undefined; databasePath: string }): Promise<Store> {
  if (config.DATABASE_URL) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(config.DATABASE_URL);
  }
  return SqliteStore.open(config.databasePath);
}
