/**
 * The embedded store: moderators' pinned verdicts and per-server settings in SQLite
 * (better-sqlite3). WAL with synchronous=FULL, and every write acknowledged only after its COMMIT
 * succeeded: a write that returned is on disk, so a crash loses nothing acknowledged, and one that
 * could not be made (full disk, I/O error) throws StoreError WRITE_FAILED. Two processes can share
 * the file: opening waits up to OPEN_BUSY_MS for the other's lock, a moderator's write up to
 * WRITE_BUSY_MS (then StoreError BUSY), the state write on the answer path only STATE_BUSY_MS.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, ServerSettingsSchema, type ServerSettings } from './settings-schema.js';

import { migrate } from './migrate.js';
import type { SealedInstallation, Store } from './port.js';
import { SharedQueries } from './states.js';
import { LearnedModels, type LearnedRow, type RecentLearned } from './learned-models.js';
import type { ApprovedReport, CommunityReport, NewReport, ReportFilter } from './report-records.js';
import { SqliteReports } from './reports.js';
import {
  fromRow,
  shortHash,
  StoreError,
  type NewPin,
  type Page,
  type PinnedVerdict,
  type Platform,
  type Row,
  type StoreLog,
  PAGE_SIZE,
} from './records.js';

export * from './records.js';
export * from './report-records.js';
export type { Store } from './port.js';
export { SHARED_QUERY_RETENTION_MS, STATE_BUSY_MS } from './states.js';
export { LEARNED_ROW_MAX_CHARS, RECENT_LEARNED_MAX, type LearnedRow, type RecentLearned } from './learned-models.js';

/** How long opening waits for another process's lock (journal mode, migrations): once, at start. */
const OPEN_BUSY_MS = 5000;
/**
 * How long a moderator's write (pin, unpin, refresh, settings) waits for another process's lock
 * before it is refused as BUSY. better-sqlite3 waits synchronously, so this is how long every
 * server's answers wait behind one click; a write itself takes a few ms, so a lock held longer than
 * this is not another writer's turn but a long transaction or a stuck process.
 */
export const WRITE_BUSY_MS = 200;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;

  /**
   * Settings are read on every question and written rarely: kept per server for a few seconds
   * (this process's saves replace the entry; another process's are seen within the TTL).
   */
  private readonly settingsCache = new Map<string, { at: number; settings: Readonly<ServerSettings> }>();

  private log: StoreLog | undefined;
  private readonly states: SharedQueries;
  private readonly learned: LearnedModels;
  private readonly reports: SqliteReports;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    openedAt: Date,
  ) {
    this.states = new SharedQueries(
      { db, stmt: (sql) => this.stmt(sql), log: () => this.log, busyMs: WRITE_BUSY_MS },
      openedAt,
    );
    this.learned = new LearnedModels({ stmt: (sql) => this.stmt(sql), log: () => this.log, busyMs: WRITE_BUSY_MS });
    this.reports = new SqliteReports({ stmt: (sql) => this.stmt(sql), write: (what, work) => this.write(what, work) });
  }

  /**
   * Opens (creating if missing) and migrates the database, and prunes shared queries past their
   * retention; throws StoreError with the path.
   */
  static open(path: string, o: { now?: () => Date; log?: StoreLog } = {}): SqliteStore {
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
    const store = new SqliteStore(db, path, now());
    if (o.log) store.logTo(o.log);
    // A backlog (an upgrade from a version that never pruned) goes at start, in bounded batches.
    while (store.pruneNow(now(), 5000) === 5000);
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

  get where(): string {
    return this.path;
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  closeNow(): void {
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<boolean> {
    try {
      return this.db.open && this.stmt('SELECT 1 AS one').get() !== undefined;
    } catch {
      return false;
    }
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
  async pin(p: NewPin, now = new Date()): Promise<PinnedVerdict> {
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

  async get(platform: Platform, serverId: string, id: number): Promise<PinnedVerdict | undefined> {
    const row = this.stmt('SELECT * FROM pinned_verdicts WHERE id = ? AND platform = ? AND server_id = ?').get(
      id,
      platform,
      serverId,
    ) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Active pins of a server, newest first. */
  async list(platform: Platform, serverId: string, page = 1, pageSize = PAGE_SIZE): Promise<Page<PinnedVerdict>> {
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
  async findByQuery(platform: Platform, serverId: string, queryKey: string): Promise<PinnedVerdict | undefined> {
    const key = `${platform}|${serverId}|${queryKey}`;
    const now = Date.now();
    const hit = this.pinLookups.get(key);
    if (hit && now - hit.at < SqliteStore.PIN_LOOKUP_TTL_MS) return hit.pin;
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
  async unpin(
    platform: Platform,
    serverId: string,
    id: number,
    by: string,
    now = new Date(),
  ): Promise<PinnedVerdict | undefined> {
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
  async refresh(
    platform: Platform,
    serverId: string,
    id: number,
    update: { headline: string; winner: string; dataVersion: string },
    now = new Date(),
  ): Promise<PinnedVerdict | undefined> {
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
  async settings(platform: Platform, serverId: string): Promise<Readonly<ServerSettings>> {
    const now = Date.now();
    const key = `${platform}:${serverId}`;
    const cached = this.settingsCache.get(key);
    if (cached && now - cached.at < SqliteStore.PIN_LOOKUP_TTL_MS) return cached.settings;
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
  async saveSettings(
    platform: Platform,
    serverId: string,
    settings: ServerSettings,
    by: string,
    now = new Date(),
  ): Promise<ServerSettings> {
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
   * posted; undefined if it could not be stored in time (the verdict then goes out without them).
   */
  async saveQuery(query: Record<string, unknown>, now = new Date()): Promise<string | undefined> {
    return this.states.saveQuery(query, now);
  }

  async loadQuery(id: string): Promise<Record<string, unknown> | undefined> {
    return this.states.loadQuery(id);
  }

  /** Deletes up to `batch` shared queries past their retention that no active pin uses; never throws. */
  async prune(now = new Date(), batch?: number): Promise<number> {
    return this.pruneNow(now, batch);
  }

  private pruneNow(now: Date, batch?: number): number {
    return this.states.prune(now, batch);
  }

  /** A model a lookup learned (or did not find), if its row has not expired at `now`. */
  async readLearned(source: LearnedRow['source'], ref: string, now = new Date()): Promise<LearnedRow | undefined> {
    return this.learned.read(source, ref, now);
  }

  /** Caches a lookup's answer; false if it was too large or could not be written in time. Never throws. */
  async saveLearned(row: LearnedRow): Promise<boolean> {
    return this.learned.write(row);
  }

  /** Models lookups found, not expired at `now`, newest first; at most `limit` (capped at 200). */
  async recentLearned(limit: number, now = new Date()): Promise<RecentLearned[]> {
    return this.learned.recent(now, limit);
  }

  /** How many lookup answers this process has cached: a list from recentLearned is stale once it moves. */
  get learnedWrites(): number {
    return this.learned.writes;
  }

  async saveInstallation(key: string, row: SealedInstallation, now = new Date()): Promise<void> {
    this.write('save the Slack installation', () =>
      this.stmt(
        `INSERT INTO slack_installations (key, team_id, enterprise_id, sealed, installed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, sealed = excluded.sealed, installed_at = excluded.installed_at`,
      ).run(key, row.teamId, row.enterpriseId, row.sealed, now.toISOString()),
    );
  }

  async readInstallation(key: string): Promise<SealedInstallation | undefined> {
    const r = this.stmt('SELECT team_id, enterprise_id, sealed FROM slack_installations WHERE key = ?').get(key) as
      { team_id: string | null; enterprise_id: string | null; sealed: string } | undefined;
    return r ? { teamId: r.team_id, enterpriseId: r.enterprise_id, sealed: r.sealed } : undefined;
  }

  async deleteInstallation(key: string): Promise<number> {
    return this.write('delete the Slack installation', () =>
      this.stmt('DELETE FROM slack_installations WHERE key = ?').run(key),
    ).changes;
  }

  async addReports(reports: readonly NewReport[], now = new Date()): Promise<CommunityReport[]> {
    return this.reports.add(reports, now);
  }

  async getReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined> {
    return this.reports.get(platform, serverId, id);
  }

  async reviewReport(
    platform: Platform,
    serverId: string,
    id: number,
    decision: 'approved' | 'rejected',
    by: string,
    now = new Date(),
  ): Promise<CommunityReport | undefined> {
    this.approvedLookups.clear();
    return this.reports.review(platform, serverId, id, decision, by, now);
  }

  async deleteReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined> {
    this.approvedLookups.clear();
    return this.reports.delete(platform, serverId, id);
  }

  async listReports(
    platform: Platform,
    serverId: string,
    filter: ReportFilter,
    page = 1,
    pageSize = PAGE_SIZE,
  ): Promise<Page<CommunityReport>> {
    return this.reports.list(platform, serverId, filter, page, pageSize);
  }

  /**
   * Recent answers of approvedReports: every verdict asks it once a machine (a plan once a pick),
   * reviews are rare. This process's reviews and deletes clear it; another process's show within
   * the TTL, as its pins do.
   */
  private readonly approvedLookups = new Map<string, { at: number; value: ApprovedReport[] }>();

  async approvedReports(
    platform: Platform,
    serverId: string,
    device: string,
    model: string,
    quant?: string,
  ): Promise<ApprovedReport[]> {
    const key = `${platform}|${serverId}|${device}|${model}|${quant ?? ''}`;
    const t = Date.now();
    const hit = this.approvedLookups.get(key);
    if (hit && t - hit.at < SqliteStore.PIN_LOOKUP_TTL_MS) return hit.value;
    try {
      const value = this.reports.approved(platform, serverId, device, model, quant);
      if (this.approvedLookups.size > 10_000) this.approvedLookups.clear();
      this.approvedLookups.set(key, { at: t, value });
      return value;
    } catch (e) {
      this.log?.warn({ err: e }, 'approved reports could not be read: answering without them');
      return [];
    }
  }

  async exportReports(): Promise<CommunityReport[]> {
    return this.reports.all();
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }
}
