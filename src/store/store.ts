/**
 * The embedded store: moderators' pinned verdicts and per-server settings in SQLite
 * (better-sqlite3). WAL with synchronous=FULL: a write that returned is on disk, so a crash
 * loses nothing acknowledged; busy_timeout lets two processes share the file.
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
export type NewPin = Omit<PinnedVerdict, 'id' | 'pinnedAt' | 'refreshedAt' | 'unpinnedBy' | 'unpinnedAt'>;

export class StoreError extends Error {
  constructor(
    message: string,
    public readonly code: 'CANNOT_OPEN' | 'NOT_OURS' | 'NEWER_SCHEMA',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

const APP_ID = 'whichgpu';

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

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  /** Opens (creating if missing) and migrates the database; throws StoreError with the path. */
  static open(path: string, now: () => Date = () => new Date()): Store {
    if (path !== ':memory:') {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (e) {
        throw new StoreError(`Cannot create the folder for DATABASE_PATH ${path}: ${(e as Error).message}`, 'CANNOT_OPEN');
      }
    }
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
    } catch (e) {
      throw new StoreError(`Cannot open the database at ${path}: ${(e as Error).message}`, 'CANNOT_OPEN');
    }
    try {
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db, path, now);
    } catch (e) {
      db.close();
      throw e instanceof StoreError ? e : new StoreError(`Cannot use the database at ${path}: ${(e as Error).message}`, 'CANNOT_OPEN');
    }
    return new Store(db, path);
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

  pin(p: NewPin, now = new Date()): PinnedVerdict {
    this.pinLookups.clear();
    const row = this.stmt(
        `INSERT INTO pinned_verdicts (platform, server_id, channel_id, message_id, query_key, query_json, headline, winner, data_version, pinned_by, pinned_at)
         VALUES (@platform, @serverId, @channelId, @messageId, @queryKey, @queryJson, @headline, @winner, @dataVersion, @pinnedBy, @pinnedAt)
         ON CONFLICT (platform, server_id, message_id) DO UPDATE SET
           unpinned_at = NULL, unpinned_by = NULL, pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at
         RETURNING *`,
      )
      .get({ ...p, queryJson: JSON.stringify(p.query), pinnedAt: now.toISOString() }) as Row;
    return fromRow(row);
  }

  get(platform: Platform, serverId: string, id: number): PinnedVerdict | undefined {
    const row = this.stmt('SELECT * FROM pinned_verdicts WHERE id = ? AND platform = ? AND server_id = ?').get(id, platform, serverId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Active pins of a server, newest first. */
  list(platform: Platform, serverId: string, page = 1, pageSize = PAGE_SIZE): Page<PinnedVerdict> {
    const total = (this.stmt('SELECT count(*) AS n FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND unpinned_at IS NULL').get(platform, serverId) as { n: number }).n;
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const p = Math.min(Math.max(1, Math.floor(page)), pages);
    const rows = this.stmt('SELECT * FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT ? OFFSET ?')
      .all(platform, serverId, pageSize, (p - 1) * pageSize) as Row[];
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
    const row = this.stmt('SELECT * FROM pinned_verdicts WHERE platform = ? AND server_id = ? AND query_key = ? AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT 1')
      .get(platform, serverId, queryKey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  unpin(platform: Platform, serverId: string, id: number, by: string, now = new Date()): PinnedVerdict | undefined {
    this.pinLookups.clear();
    const row = this.stmt('UPDATE pinned_verdicts SET unpinned_at = ?, unpinned_by = ? WHERE id = ? AND platform = ? AND server_id = ? AND unpinned_at IS NULL RETURNING *')
      .get(now.toISOString(), by, id, platform, serverId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  refresh(platform: Platform, serverId: string, id: number, update: { headline: string; winner: string; dataVersion: string }, now = new Date()): PinnedVerdict | undefined {
    this.pinLookups.clear();
    const row = this.stmt('UPDATE pinned_verdicts SET headline = ?, winner = ?, data_version = ?, refreshed_at = ? WHERE id = ? AND platform = ? AND server_id = ? RETURNING *')
      .get(update.headline, update.winner, update.dataVersion, now.toISOString(), id, platform, serverId) as Row | undefined;
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
    const row = this.stmt('SELECT settings_json FROM server_settings WHERE platform = ? AND server_id = ?').get(platform, serverId) as { settings_json: string } | undefined;
    if (!row) return { ...DEFAULT_SETTINGS };
    // Stored settings were validated on write; a field added since takes its default.
    return ServerSettingsSchema.parse({ ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings_json) as object) });
  }

  saveSettings(platform: Platform, serverId: string, settings: ServerSettings, by: string, now = new Date()): ServerSettings {
    const valid = ServerSettingsSchema.parse(settings);
    this.stmt(
        `INSERT INTO server_settings (platform, server_id, settings_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, server_id) DO UPDATE SET settings_json = excluded.settings_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(platform, serverId, JSON.stringify(valid), by, now.toISOString());
    this.settingsCache.set(`${platform}:${serverId}`, { at: Date.now(), settings: Object.freeze({ ...valid }) });
    return { ...valid };
  }

  /** Remembers a normalized query under a short id (for message components); returns the id. */
  saveQuery(query: Record<string, unknown>, now = new Date()): string {
    const json = JSON.stringify(query);
    // Same query, same id: a re-post does not add a row.
    const id = shortHash(json);
    // Read first: repeated questions (the common case) then cost no write and no fsync.
    if (!this.stmt('SELECT 1 FROM shared_queries WHERE id = ?').get(id)) {
      this.stmt('INSERT INTO shared_queries (id, query_json, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, json, now.toISOString());
    }
    return id;
  }

  loadQuery(id: string): Record<string, unknown> | undefined {
    const row = this.stmt('SELECT query_json FROM shared_queries WHERE id = ?').get(id) as { query_json: string } | undefined;
    return row ? (JSON.parse(row.query_json) as Record<string, unknown>) : undefined;
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }
}

/** Applies the migrations of migrations.ts in order, each in a transaction. */
function migrate(db: Database.Database, path: string, now: () => Date): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
  if (tables.length > 0) {
    const app = tables.includes('app_meta') ? (db.prepare("SELECT value FROM app_meta WHERE key = 'app'").get() as { value: string } | undefined) : undefined;
    if (app?.value !== APP_ID) {
      throw new StoreError(`${path} is a SQLite database, but not whichgpu's (tables: ${tables.slice(0, 5).join(', ')}). Point DATABASE_PATH at a new file.`, 'NOT_OURS');
    }
  }
  const files = MIGRATIONS;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > files.length) {
    throw new StoreError(`${path} was written by a newer whichgpu (schema ${current}; this version knows ${files.length}).`, 'NEWER_SCHEMA');
  }
  for (const [i, migration] of files.entries()) {
    const version = i + 1;
    if (version <= current) continue;
    const sql = migration.sql;
    db.transaction(() => {
      db.exec(sql);
      if (version === 1) db.prepare("INSERT INTO app_meta (key, value) VALUES ('app', ?), ('created_at', ?)").run(APP_ID, now().toISOString());
      db.pragma(`user_version = ${version}`);
    })();
  }
}

/** 12 hex digits of SHA-256: short enough for a Discord custom_id, unique enough for our volume. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
