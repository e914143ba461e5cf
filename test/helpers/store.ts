/** A fresh Store in a temporary folder for each test of the calling file, removed after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { SqliteStore } from '../../src/store/store.js';

/** Registers beforeEach/afterEach; read `.store` and `.path` inside a test. */
export function storePerTest(prefix: string): { readonly store: SqliteStore; readonly path: string } {
  let dir = '';
  let store: SqliteStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = SqliteStore.open(join(dir, 'db.sqlite'));
  });
  afterEach(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store() {
      return store!;
    },
    get path() {
      return join(dir, 'db.sqlite');
    },
  };
}
