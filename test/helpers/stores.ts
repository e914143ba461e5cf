/**
 * Both store implementations, for contract tests that run against each: the SQLite file in a
 * temporary folder and a fresh database on the run's real PostgreSQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore, type NewReport } from '../../src/store/store.js';
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

/** A report as the command stores it: Discord, server g1, an RTX 4090 running Llama 3.1 8B Q4_K_M. */
export const newReport = (extra: Partial<NewReport> = {}): NewReport => ({
  platform: 'discord',
  serverId: 'g1',
  channelId: 'c1',
  reportedBy: 'u1',
  reportedByName: 'Ada',
  device: 'rtx-4090',
  model: 'llama-3.1-8b',
  quant: 'Q4_K_M',
  runtime: 'llama.cpp',
  runtimeVersion: 'b4500',
  depthTokens: 0,
  promptTokens: 512,
  decodeTokensPerSec: 150.5,
  prefillTokensPerSec: 11_000,
  flagged: false,
  pasted: '| model | size | ... |',
  ...extra,
});
