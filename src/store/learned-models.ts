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

/** A found row as a list shows it: what the user pasted (the cache key) and what the facts call it. */
export interface RecentLearned {
  source: LearnedRow['source'];
  /** The cache key: "org/repo" lowercased (":QUANT" when named) or "namespace/name:tag". */
  ref: string;
  /** The reference as the source spells it (LearnedFacts.basis.ref: "someorg/Mystery-34B-GGUF"). */
  basisRef: string;
  /** LearnedFacts.name. */
  name: string;
  /** Total parameters when the source said them (or counted from the GGUF header). */
  parameters: number | undefined;
  fetchedAt: string;
}

export const LEARNED_ROW_MAX_CHARS = 262_144;
/** The most recent rows `recent` returns, whatever is asked. */
export const RECENT_LEARNED_MAX = 200;
const PRUNE_BATCH = 200;

export class LearnedModels {
  /** Rows this process wrote: a list built from `recent` is stale once this moves. */
  writes = 0;

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

  /**
   * Found rows not expired at `now`, newest fetch first, at most `limit` (capped at RECENT_LEARNED_MAX):
   * a scan of migration 6's partial index that stops at `limit`, so only the JSON of the rows it
   * returns is read (and of the rare row it skips for lacking a basis).
   */
  recent(now: Date, limit: number): RecentLearned[] {
    const rows = this.deps
      .stmt(
        `SELECT source, ref, json_extract(facts_json, '$.basis.ref') AS basisRef, json_extract(facts_json, '$.name') AS name,
           coalesce(json_extract(facts_json, '$.parameters'), json_extract(facts_json, '$.ggufParameters')) AS parameters,
           fetched_at AS fetchedAt
         FROM learned_models WHERE status = 'found' AND expires_at > ?
           AND json_type(facts_json, '$.basis.ref') = 'text' AND json_type(facts_json, '$.name') = 'text'
         ORDER BY fetched_at DESC LIMIT ?`,
      )
      .all(now.toISOString(), Math.max(0, Math.min(limit, RECENT_LEARNED_MAX))) as Record<string, unknown>[];
    // A row whose JSON lacks its basis or name (written by hand, or by an older lookup) is left out, not guessed at.
    return rows.map((r) => ({
      source: r.source as RecentLearned['source'],
      ref: r.ref as string,
      basisRef: r.basisRef as string,
      name: r.name as string,
      parameters: typeof r.parameters === 'number' && r.parameters > 0 ? r.parameters : undefined,
      fetchedAt: r.fetchedAt as string,
    }));
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
      this.writes++;
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
