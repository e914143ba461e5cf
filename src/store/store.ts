/**
 * The embedded store: moderators' pinned verdicts and per-server settings in SQLite
 * (better-sqlite3). WAL with synchronous=FULL, and every write acknowledged only after its COMMIT
 * succeeded: a write that returned is on disk, so a crash loses nothing acknowledged, and one that
 * could not be made (full disk, I/O error) throws StoreError WRITE_FAILED. Two processes can share
 * the file: opening waits up to OPEN_BUSY_MS for the other's lock, a moderator's write up to
 * WRITE_BUSY_MS (then StoreError BUSY), the state write on the answer path only STATE_BUSY_MS.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { DEFAULT_SETTINGS, ServerSettingsSchema, type ServerSettings } from './settings-schema.js';

export type Platform = 'discord' | 'slack' | 'console';

export interface PinnedVerdict {
  id: number;
  platform: Platform;
  serverId: string;
  channelId: string;
  messageId: string;
  queryKey: string;
  query: Record<string, unknown>;
  headline: string;
  winner: string;
  dataVersion: string;
  pinnedBy: string;
  pinnedAt: string;
  refreshedAt: string | null;
  unpinnedBy: string | null;
  unpinnedAt: string | null;
}

/** What a pin is created from: the stored record less what the store assigns. */
export type NewPin = Omit<PinnedVerdict, 'id' | 'pinnedAt' | 'refreshedAt' | 'unpinnedBy' | 'unpinnedAt'> & {
  /**
   * The shared query (saveQuery's id) the pinned message's components load: pruning keeps it while
   * the pin is active, so the selects and Sources of a pin people come back to weeks later work.
   * Adapters pass the id the Pin button carried. Without it the store takes the id of this query,
   * which is the message's only when the query is the one posted: a verdict recomputed from its
   * state names the model by id where the posted one kept it as typed.
   */
  stateId?: string | undefined;
};

export class StoreError extends Error {
  constructor(
    message: string,
    /** BUSY: another process held the lock past WRITE_BUSY_MS, nothing was written; WRITE_FAILED: the disk refused it. */
    public readonly code: 'CANNOT_OPEN' | 'NOT_OURS' | 'NEWER_SCHEMA' | 'WRITE_FAILED' | 'BUSY',
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Where the store reports a write it could not make (a pino logger fits). */
export interface StoreLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const APP_ID = 'whichgpu';

/** How long opening waits for another process's lock (journal mode, migrations): once, at start. */
const OPEN_BUSY_MS = 5000;
/**
 * How long a moderator's write (pin, unpin, refresh, settings) waits for another process's lock
 * before it is refused as BUSY. better-sqlite3 waits synchronously, so this is how long every
 * server's answers wait behind one click; a write itself takes a few ms, so a lock held longer than
 * this is not another writer's turn but a long transaction or a stuck process.
 */
export const WRITE_BUSY_MS = 200;
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

interface Row {
  id: number;
  platform: Platform;
  server_id: string;
  channel_id: string;
  message_id: string;
  query_key: string;
  query_json: string;
  headline: string;
  winner: string;
  data_version: string;
  pinned_by: string;
  pinned_at: string;
  refreshed_at: string | null;
  unpinned_by: string | null;
  unpinned_at: string | null;
}

const fromRow = (r: Row): PinnedVerdict => ({
  id: r.id,
  platform: r.platform,
  serverId: r.server_id,
  channelId: r.channel_id,
  messageId: r.message_id,
  queryKey: r.query_key,
  query: JSON.parse(r.query_json) as Record<string, unknown>,
  headline: r.headline,
  winner: r.winner,
  dataVersion: r.data_version,
  pinnedBy: r.pinned_by,
  pinnedAt: r.pinned_at,
  refreshedAt: r.refreshed_at,
  unpinnedBy: r.unpinned_by,
  unpinnedAt: r.unpinned_at,
});

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

export const PAGE_SIZE = 10;

export class Store {
  /**
   * Settings are read on every question and written rarely: kept per server for a few seconds
   * (this process's saves replace the entry; another process's are seen within the TTL).
   */
  private readonly settingsCache = new Map<string, { at: number; settings: Readonly<ServerSettings> }>();

  private log: StoreLog | undefined;
  private lastPruneAt: number;
  private pruning = false;
  private lastStateWarnAt = -Infinity;
  private stateFailures = 0;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    openedAt: Date,
  ) {
    this.lastPruneAt = openedAt.getTime();
  }

  /**
   * Opens (creating if missing) and migrates the database, and prunes shared queries past their
   * retention; throws StoreError with the path.
   */
  static open(path: string, o: { now?: () => Date; log?: StoreLog } = {}): Store {
    const now = o.now ?? (() => new Date());
    if (path !== ':memory:') {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        throw new StoreError(
          `Cannot create the folder for DATABASE_PATH ${path}: ${(e as Error).message}`,
          'CANNOT_OPEN',
        );
      }
    }
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: OPEN_BUSY_MS });
      db.pragma('journal_mode = WAL');
    } catch (e) {
      throw new StoreError(`Cannot open the database at ${path}: ${(e as Error).message}`, 'CANNOT_OPEN');
    }
    try {
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${OPEN_BUSY_MS}`);
      migrate(db, path, now);
      db.pragma(`busy_timeout = ${WRITE_BUSY_MS}`);
    } catch (e) {
      db.close();
      throw e instanceof StoreError
        ? e
        : new StoreError(`Cannot use the database at ${path}: ${(e as Error).message}`, 'CANNOT_OPEN');
    }
    const store = new Store(db, path, now());
    if (o.log) store.logTo(o.log);
    // A backlog (an upgrade from a version that never pruned) goes at start, in bounded batches.
    while (store.prune(now(), 5000) === 5000);
    return store;
  }

  /** From now on, writes that fail are logged here (once each; failing state writes at most once a minute). */
  logTo(log: StoreLog): void {
    this.log = log;
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared once, reused: compiling SQL per call was the store's largest cost under load. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs a write in one IMMEDIATE transaction and returns only after its COMMIT succeeded; a failed
   * write is logged once and thrown as StoreError WRITE_FAILED. (`INSERT ... RETURNING` through
   * `.get()` in autocommit did not do this: SQLite commits when the statement is reset, and
   * better-sqlite3's `.get()` drops the reset's error, so on a full disk it returned a row that was
   * never stored. The COMMIT of db.transaction is a `.run()`, which reports it.) When another
   * process held the lock past WRITE_BUSY_MS, BEGIN IMMEDIATE was refused and nothing was written:
   * StoreError BUSY, logged as a warning (in WAL mode a commit never waits for a lock, only the BEGIN).
   */
  private write<T>(what: string, work: () => T): T {
    try {
      return this.db.transaction(work).immediate();
    } catch (e) {
      if (!(e instanceof Database.SqliteError)) throw e;
      if (e.code.startsWith('SQLITE_BUSY')) {
        this.log?.warn(
          { err: e, code: e.code, what, waitedMs: WRITE_BUSY_MS },
          'store write refused: another process holds the lock',
        );
        throw new StoreError(`Cannot ${what}: the database is locked by another process (${e.code})`, 'BUSY', {
          cause: e,
        });
      }
      this.log?.error({ err: e, code: e.code, what }, 'store write failed');
      throw new StoreError(`Cannot ${what}: ${e.message} (${e.code})`, 'WRITE_FAILED', { cause: e });
    }
  }

  /** Stores the pin (or revives the message's earlier one); throws StoreError WRITE_FAILED or BUSY if it is not on disk. */
  pin(p: NewPin, now = new Date()): PinnedVerdict {
    this.pinLookups.clear();
    const queryJson = JSON.stringify(p.query);
    const row = this.write('save the pin', () => {
      this.stmt(
        `INSERT INTO pinned_verdicts (platform, server_id, channel_id, message_id, query_key, query_json, state_id, headline, winner, data_version, pinned_by, pinned_at)
         VALUES (@platform, @serverId, @channelId, @messageId, @queryKey, @queryJson, @stateId, @headline, @winner, @dataVersion, @pinnedBy, @pinnedAt)
         ON CONFLICT (platform, server_id, message_id) DO UPDATE SET
           unpinned_at = NULL, unpinned_by = NULL, pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at, state_id = excluded.state_id`,
      ).run({ ...p, queryJson, stateId: p.stateId ?? shortHash(queryJson), pinnedAt: now.toISOString() });
      return this.stmt('SELECT * FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND message_id = ?').get(
        p.platform,
        p.serverId,
        p.messageId,
      ) as Row;
    });
    return fromRow(row);
  }

  get(platform: Platform, serverId: string, id: number): PinnedVerdict | undefined {
    const row = this.stmt('SELECT * FROM pinned_verdicts WHERE id = ? AND platform = ? AND server_id = ?').get(
      id,
      platform,
      serverId,
    ) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Active pins of a server, newest first. */
  list(platform: Platform, serverId: string, page = 1, pageSize = PAGE_SIZE): Page<PinnedVerdict> {
    const total = (
      this.stmt(
        'SELECT count(*) AS n FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND unpinned_at IS NULL',
      ).get(platform, serverId) as { n: number }
    ).n;
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const p = Math.min(Math.max(1, Math.floor(page)), pages);
    const rows = this.stmt(
      'SELECT * FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT ? OFFSET ?',
    ).all(platform, serverId, pageSize, (p - 1) * pageSize) as Row[];
    return { items: rows.map(fromRow), page: p, pages, total };
  }

  /**
   * Recent answers of findByQuery. Every question asks it; pins change rarely. This process's own
   * pin, unpin and refresh clear it; another process sharing the file is seen within the TTL.
   */
  private readonly pinLookups = new Map<string, { at: number; pin: PinnedVerdict | undefined }>();
  static readonly PIN_LOOKUP_TTL_MS = 5000;

  /** The newest active pin for the same normalized query in this server. */
  findByQuery(platform: Platform, serverId: string, queryKey: string): PinnedVerdict | undefined {
    const key = `${platform}|${serverId}|${queryKey}`;
    const now = Date.now();
    const hit = this.pinLookups.get(key);
    if (hit && now - hit.at < Store.PIN_LOOKUP_TTL_MS) return hit.pin;
    const pin = this.readPinByQuery(platform, serverId, queryKey);
    if (this.pinLookups.size > 10_000) this.pinLookups.clear();
    this.pinLookups.set(key, { at: now, pin });
    return pin;
  }

  private readPinByQuery(platform: Platform, serverId: string, queryKey: string): PinnedVerdict | undefined {
    const row = this.stmt(
      'SELECT * FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND query_key = ? AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT 1',
    ).get(platform, serverId, queryKey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Undefined if no active pin has this id; throws StoreError WRITE_FAILED or BUSY if the unpin is not on disk. */
  unpin(platform: Platform, serverId: string, id: number, by: string, now = new Date()): PinnedVerdict | undefined {
    this.pinLookups.clear();
    const row = this.write('unpin', () => {
      const { changes } = this.stmt(
        'UPDATE pinned_verdicts SET unpinned_at = ?, unpinned_by = ? WHERE id = ? AND platform = ? AND server_id = ? AND unpinned_at IS NULL',
      ).run(now.toISOString(), by, id, platform, serverId);
      return changes ? (this.stmt('SELECT * FROM pinned_verdicts WHERE id = ?').get(id) as Row) : undefined;
    });
    return row ? fromRow(row) : undefined;
  }

  /** Undefined if no pin has this id; throws StoreError WRITE_FAILED or BUSY if the refresh is not on disk. */
  refresh(
    platform: Platform,
    serverId: string,
    id: number,
    update: { headline: string; winner: string; dataVersion: string },
    now = new Date(),
  ): PinnedVerdict | undefined {
    this.pinLookups.clear();
    const row = this.write('refresh the pin', () => {
      const { changes } = this.stmt(
        'UPDATE pinned_verdicts SET headline = ?, winner = ?, data_version = ?, refreshed_at = ? WHERE id = ? AND platform = ? AND server_id = ?',
      ).run(update.headline, update.winner, update.dataVersion, now.toISOString(), id, platform, serverId);
      return changes ? (this.stmt('SELECT * FROM pinned_verdicts WHERE id = ?').get(id) as Row) : undefined;
    });
    return row ? fromRow(row) : undefined;
  }

  /** The server's settings: a frozen object shared by every reader until the next save or read from disk. */
  settings(platform: Platform, serverId: string): Readonly<ServerSettings> {
    const now = Date.now();
    const key = `${platform}:${serverId}`;
    const cached = this.settingsCache.get(key);
    if (cached && now - cached.at < Store.PIN_LOOKUP_TTL_MS) return cached.settings;
    const fresh = Object.freeze(this.readSettings(platform, serverId));
    if (this.settingsCache.size > 10_000) this.settingsCache.clear();
    this.settingsCache.set(key, { at: now, settings: fresh });
    return fresh;
  }

  private readSettings(platform: Platform, serverId: string): ServerSettings {
    const row = this.stmt('SELECT settings_json FROM server_settings WHERE platform = ? AND server_id = ?').get(
      platform,
      serverId,
    ) as { settings_json: string } | undefined;
    if (!row) return { ...DEFAULT_SETTINGS };
    // Stored settings were validated on write; a field added since takes its default.
    return ServerSettingsSchema.parse({ ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings_json) as object) });
  }

  /** Validates and stores the settings; throws StoreError WRITE_FAILED or BUSY if they are not on disk (the cache keeps the old ones). */
  saveSettings(
    platform: Platform,
    serverId: string,
    settings: ServerSettings,
    by: string,
    now = new Date(),
  ): ServerSettings {
    const valid = ServerSettingsSchema.parse(settings);
    this.write('save the settings', () =>
      this.stmt(
        `INSERT INTO server_settings (platform, server_id, settings_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, server_id) DO UPDATE SET settings_json = excluded.settings_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      ).run(platform, serverId, JSON.stringify(valid), by, now.toISOString()),
    );
    this.settingsCache.set(`${platform}:${serverId}`, { at: Date.now(), settings: Object.freeze({ ...valid }) });
    return { ...valid };
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
    this.log?.warn({ err: e, code: (e as { code?: unknown }).code, failures: this.stateFailures }, msg);
    this.lastStateWarnAt = now.getTime();
    this.stateFailures = 0;
  }

  /** better-sqlite3 waits for a lock synchronously: a statement on the answer path waits less. */
  private withBusyTimeout<T>(ms: number, work: () => T): T {
    this.stmt(`PRAGMA busy_timeout = ${ms}`).run();
    try {
      return work();
    } finally {
      this.stmt(`PRAGMA busy_timeout = ${WRITE_BUSY_MS}`).run();
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
      if (this.db.open && this.prune(now) === PRUNE_BATCH) setImmediate(step);
      else this.pruning = false;
    };
    setImmediate(step);
  }

  loadQuery(id: string): Record<string, unknown> | undefined {
    const row = this.stmt('SELECT query_json FROM shared_queries WHERE id = ?').get(id) as
      { query_json: string } | undefined;
    return row ? (JSON.parse(row.query_json) as Record<string, unknown>) : undefined;
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }
}

/** Applies the migrations of migrations.ts in order, each in a transaction. */
function migrate(db: Database.Database, path: string, now: () => Date): void {
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

/** 12 hex digits of SHA-256: short enough for a Discord custom_id, unique enough for our volume. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
