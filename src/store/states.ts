/**
 * The normalized query behind each posted verdict, under a short id its message components carry
 * (quant and context selects, Pin, Sources). Written on the answer path, so it never throws and
 * waits at most STATE_BUSY_MS for a lock; pruned by age, except what an active pin's message uses.
 */
import type Database from 'better-sqlite3';
import { shortHash, type StoreLog } from './records.js';

/**
 * How long the state write on the answer path waits for a lock. better-sqlite3 waits synchronously,
 * so this is how long the whole event loop stops; past it the verdict goes out without components.
 */
export const STATE_BUSY_MS = 20;

/**
 * A shared query is pruned 7 days after its verdict was last posted (noted at most daily, so at
 * least 6 days after). Selects and the Pin button are used while a conversation is live (minutes to
 * days); a verdict older than that answers "too old, ask again", which costs one command. The state
 * of an actively pinned message is kept however old (people come back to a pin for weeks): see
 * NewPin.stateId. At ~470 B a question on disk (measured, index included), a server
 * asking new questions at the default rate limits (~340,000 a day) holds ~1.1 GB at most, where
 * 30 days would be ~4.8 GB and no pruning grows without end.
 */
export const SHARED_QUERY_RETENTION_MS = 7 * 86_400_000;
/** Posting a question again moves its shared query forward, at most once a day (a read otherwise). */
const TOUCH_AFTER_MS = 86_400_000;
/** Pruning runs at open and then at most hourly, after a state write, a batch per turn of the event loop. */
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 500;
/** A failing state write or prune is logged at most once a minute (it fails for every new question while the disk is full). */
const STATE_WARN_EVERY_MS = 60_000;

export interface StateStoreDeps {
  db: Database.Database;
  stmt: (sql: string) => Database.Statement;
  log: () => StoreLog | undefined;
  /** The busy timeout the connection goes back to after a state statement. */
  busyMs: number;
}

export class SharedQueries {
  private lastPruneAt: number;
  private pruning = false;
  private lastStateWarnAt = -Infinity;
  private stateFailures = 0;

  constructor(
    private readonly deps: StateStoreDeps,
    openedAt: Date,
  ) {
    this.lastPruneAt = openedAt.getTime();
  }

  private stmt(sql: string): Database.Statement {
    return this.deps.stmt(sql);
  }

  /**
   * Remembers a normalized query under a short id, for the components of the verdict about to be
   * posted. Returns undefined if it could not be stored within STATE_BUSY_MS (another process holds
   * the lock, the disk is full): the verdict then goes out without components, on time. Never throws.
   */
  saveQuery(query: Record<string, unknown>, now = new Date()): string | undefined {
    const json = JSON.stringify(query);
    // Same query, same id: a re-post does not add a row.
    const id = shortHash(json);
    let stored: { posted_at: string } | undefined;
    try {
      // Read first: repeated questions (the common case) then cost no write and no fsync.
      stored = this.stmt('SELECT posted_at FROM shared_queries WHERE id = ?').get(id) as
        { posted_at: string } | undefined;
      if (stored && Date.parse(stored.posted_at) > now.getTime() - TOUCH_AFTER_MS) return id;
      this.withBusyTimeout(STATE_BUSY_MS, () =>
        this.stmt(
          'INSERT INTO shared_queries (id, query_json, posted_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET posted_at = excluded.posted_at',
        ).run(id, json, now.toISOString()),
      );
    } catch (e) {
      this.stateWriteFailed(e, now, 'state not stored: verdicts go out without components');
      // A stored row that could not be moved forward still has days to live.
      return stored ? id : undefined;
    }
    this.schedulePrune(now);
    return id;
  }

  private stateWriteFailed(e: unknown, now: Date, msg: string): void {
    this.stateFailures++;
    if (now.getTime() - this.lastStateWarnAt < STATE_WARN_EVERY_MS) return;
    this.deps.log()?.warn({ err: e, code: (e as { code?: unknown }).code, failures: this.stateFailures }, msg);
    this.lastStateWarnAt = now.getTime();
    this.stateFailures = 0;
  }

  /** better-sqlite3 waits for a lock synchronously: a statement on the answer path waits less. */
  private withBusyTimeout<T>(ms: number, work: () => T): T {
    this.stmt(`PRAGMA busy_timeout = ${ms}`).run();
    try {
      return work();
    } finally {
      this.stmt(`PRAGMA busy_timeout = ${this.deps.busyMs}`).run();
    }
  }

  /**
   * Deletes up to `batch` shared queries whose verdict was last posted more than
   * SHARED_QUERY_RETENTION_MS before `now` and that no active pin's message uses, in one short
   * transaction; returns how many went. Never throws: a prune that fails is retried later.
   */
  prune(now = new Date(), batch = PRUNE_BATCH): number {
    const before = new Date(now.getTime() - SHARED_QUERY_RETENTION_MS).toISOString();
    try {
      return this.withBusyTimeout(
        STATE_BUSY_MS,
        () =>
          this.stmt(
            `DELETE FROM shared_queries WHERE rowid IN (
             SELECT rowid FROM shared_queries WHERE posted_at < ?
               AND id NOT IN (SELECT state_id FROM pinned_verdicts WHERE unpinned_at IS NULL AND state_id IS NOT NULL)
             ORDER BY posted_at LIMIT ?)`,
          ).run(before, batch).changes,
      );
    } catch (e) {
      this.stateWriteFailed(e, now, 'pruning stored questions failed; tried again after the next hour');
      return 0;
    }
  }

  /** At most hourly, after the answer that triggered it: a batch per turn of the event loop until the backlog is gone. */
  private schedulePrune(now: Date): void {
    if (this.pruning || now.getTime() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.pruning = true;
    this.lastPruneAt = now.getTime();
    const step = () => {
      if (this.deps.db.open && this.prune(now) === PRUNE_BATCH) setImmediate(step);
      else this.pruning = false;
    };
    setImmediate(step);
  }

  loadQuery(id: string): Record<string, unknown> | undefined {
    const row = this.stmt('SELECT query_json FROM shared_queries WHERE id = ?').get(id) as
      { query_json: string } | undefined;
    return row ? (JSON.parse(row.query_json) as Record<string, unknown>) : undefined;
  }
}
