/**
 * Opening a database: refuse one that is not whichgpu's or was written by a newer version, then
 * apply the migrations of migrations.ts in order, each in a transaction (PRAGMA user_version
 * records how far a file has come).
 */
import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { StoreError } from './records.js';

const APP_ID = 'whichgpu';

/** Applies the migrations of migrations.ts in order, each in a transaction. */
export function migrate(db: Database.Database, path: string, now: () => Date): void {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  if (tables.length > 0) {
    const app = tables.includes('app_meta')
      ? (db.prepare("SELECT value FROM app_meta WHERE key = 'app'").get() as { value: string } | undefined)
      : undefined;
    if (app?.value !== APP_ID) {
      throw new StoreError(
        `${path} is a SQLite database, but not whichgpu's (tables: ${tables.slice(0, 5).join(', ')}). Point DATABASE_PATH at a new file.`,
        'NOT_OURS',
      );
    }
  }
  const files = MIGRATIONS;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > files.length) {
    throw new StoreError(
      `${path} was written by a newer whichgpu (schema ${current}; this version knows ${files.length}).`,
      'NEWER_SCHEMA',
    );
  }
  for (const [i, migration] of files.entries()) {
    const version = i + 1;
    if (version <= current) continue;
    const sql = migration.sql;
    db.transaction(() => {
      db.exec(sql);
      if (version === 1)
        db.prepare("INSERT INTO app_meta (key, value) VALUES ('app', ?), ('created_at', ?)").run(
          APP_ID,
          now().toISOString(),
        );
      db.pragma(`user_version = ${version}`);
    })();
  }
}
