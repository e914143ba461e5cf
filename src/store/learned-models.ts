/**
 * The lookup cache's rows (src/lookup/cache.ts decides what goes in and for how long): read and
 * written on the answer path, so a write never throws and waits at most STATE_BUSY_MS for a lock,
 * and expired rows go in small batches after a write.
 */
import type Database from 'better-sqlite3';
import { STATE_BUSY_MS } from './states.js';
import type { StoreLog } from './records.js';

export interface LearnedRow {
  source: 'huggingface' | 'ollama';
  ref: string;
  status: 'found' | 'not_found';
  /** JSON text; at most LEARNED_ROW_MAX_CHARS (the schema refuses more). */
  json: string;
  fetchedAt: string;
  expiresAt: string;
}

export const LEARNED_ROW_MAX_CHARS = 262_144;
const PRUNE_BATCH = 200;

export class LearnedModels {
  constructor(
    private readonly deps: {
      stmt: (sql: string) => Database.Statement;
      log: () => StoreLog | undefined;
      busyMs: number;
    },
  ) {}

  /** The row if it has not expired at `now`. */
  read(source: LearnedRow['source'], ref: string, now: Date): LearnedRow | undefined {
    const row = this.deps
      .stmt(
        'SELECT source, ref, status, facts_json AS json, fetched_at AS fetchedAt, expires_at AS expiresAt FROM learned_models WHERE source = ? AND ref = ? AND expires_at > ?',
      )
      .get(source, ref, now.toISOString()) as LearnedRow | undefined;
    return row;
  }

  /** Stores (or replaces) the row; false if it could not be written in time or is too large. Never throws. */
  write(row: LearnedRow): boolean {
    if (row.json.length > LEARNED_ROW_MAX_CHARS) return false;
    try {
      this.withBusyTimeout(() => {
        this.deps
          .stmt(
            `INSERT INTO learned_models (source, ref, status, facts_json, fetched_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (source, ref) DO UPDATE SET status = excluded.status, facts_json = excluded.facts_json,
               fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
          )
          .run(row.source, row.ref, row.status, row.json, row.fetchedAt, row.expiresAt);
        this.deps
          .stmt(
            'DELETE FROM learned_models WHERE rowid IN (SELECT rowid FROM learned_models WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)',
          )
          .run(row.fetchedAt, PRUNE_BATCH);
      });
      return true;
    } catch (e) {
      this.deps.log()?.warn({ err: e, code: (e as { code?: unknown }).code }, 'learned model not cached');
      return false;
    }
  }

  private withBusyTimeout<T>(work: () => T): T {
    this.deps.stmt(`PRAGMA busy_timeout = ${STATE_BUSY_MS}`).run();
    try {
      return work();
    } finally {
      this.deps.stmt(`PRAGMA busy_timeout = ${this.deps.busyMs}`).run();
    }
  }
}
