/**
 * Both store implementations, for contract tests that run against each: the SQLite file in a
 * temporary folder and a fresh database on the run's real PostgreSQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/store.js';
import { freshDatabase } from './postgres.js';

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

/** `describe.each(storeImplementations)('... on %s', (_name, open) => ...)`. */
export const storeImplementations: [string, () => Promise<OpenedStore>][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'whichgpu-contract-'));
      const store = SqliteStore.open(join(dir, 'db.sqlite'));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await freshDatabase();
      const store = await PostgresStore.open(db.url);
      return {
        store,
        close: async () => {
          await store.close();
          await db.drop();
        },
      };
    },
  ],
];
