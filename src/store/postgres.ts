/**
 * The shared store: PostgreSQL through node-postgres (`pg`), for several whichgpu instances behind
 * one load balancer. Same records and contract as the SQLite store (port.ts); besides them it holds
 * what instances must agree on: request signatures already accepted (the replay guard), the rate
 * limits' buckets, and Slack installations.
 *
 * Caches and how another instance's change shows: settings and "is this question pinned" are read
 * on every question and change rarely, so each instance keeps them in memory. A write sends a
 * NOTIFY in its transaction; every instance LISTENs and drops the entry when it arrives (a few ms
 * after the commit). Should the listening connection be down, entries live at most CACHE_TTL_MS
 * (4 s), so a pin, an unpin or a settings change shows everywhere within 5 s in every case.
 *
 * Failure: a moderator's write that cannot be made throws StoreError BUSY (the database is
 * restarting or unreachable: try again in a moment) or WRITE_FAILED (it refused the write). Reads
 * on the answer path fall back (last known settings or the defaults, no pin shown) within
 * ANSWER_PATH_MS, so answers keep going out while the database restarts. The pool's idle-client
 * errors are logged, never thrown: a restart of the server does not stop the process.
 */
import pg from 'pg';
import { PG_MIGRATIONS } from './pg-migrations.js';
import type { BucketSpecs, SealedInstallation, SharedGuards, Store, TokenDecision } from './port.js';
import {
  fromRow,
  shortHash,
  StoreError,
  PAGE_SIZE,
  type NewPin,
  type Page,
  type PinnedVerdict,
  type Row,
  type Platform,
  type StoreLog,
} from './records.js';
import { DEFAULT_SETTINGS, ServerSettingsSchema, type ServerSettings } from './settings-schema.js';
import { LEARNED_ROW_MAX_CHARS, RECENT_LEARNED_MAX, type LearnedRow, type RecentLearned } from './learned-models.js';
import { SHARED_QUERY_RETENTION_MS } from './states.js';
import {
  APPROVED_COLUMNS,
  APPROVED_REPORTS_MAX,
  approvedOf,
  type ApprovedReport,
  REPORT_COLUMNS,
  reportOf,
  reportValues,
  type CommunityReport,
  type NewReport,
  type ReportFilter,
  type ReportRow,
} from './report-records.js';

const APP_ID = 'whichgpu';
/** The advisory lock migrations hold (any constant; "whichgpu" in ASCII, folded to 63 bits). */
const MIGRATION_LOCK = 0x7768696368677075n & 0x7fffffffffffffffn;
const CHANNEL = 'whichgpu_changes';
/** An entry of the settings and pin caches lives at most this long (the NOTIFY usually drops it first). */
export const CACHE_TTL_MS = 4000;
/** How long a read or write on the answer path may take before the answer goes out without it. */
export const ANSWER_PATH_MS = 400;
/** How long a moderator's write may take (connection included) before it is refused as BUSY. */
export const WRITE_DEADLINE_MS = 2000;
/** Any other read (a pin by id, a page of pins, a stored question) is refused as BUSY past this. */
export const READ_DEADLINE_MS = 1500;
/**
 * After the database failed to answer (refused, reset, or silent past a deadline), every call for
 * this long answers at once (the fallback, or BUSY) instead of waiting again: a database that hangs
 * rather than refusing would otherwise cost each request its deadlines one after another and push
 * answers past Discord's 3 s.
 */
export const BREAKER_MS = 2000;
/** Past this a query's connection is destroyed (our own deadlines answer sooner; this frees the slot). */
const QUERY_TIMEOUT_MS = 2000;
const TOUCH_AFTER_MS = 86_400_000;
/** Old questions go hourly, as in the SQLite store; signatures and idle buckets every minute. */
const PRUNE_QUERIES_EVERY_MS = 3_600_000;
const PRUNE_GUARDS_EVERY_MS = 60_000;

export interface PostgresOptions {
  log?: StoreLog;
  /** Connections this instance holds at most (default 10). */
  poolSize?: number;
  now?: () => Date;
}

/** Connection-level failures: the server is restarting, shutting down or unreachable. */
function unavailable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return /timeout|terminat|ECONN|closed|not queryable/i.test(String(e));
  return /^(08|57P|53300)/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|HOSTUNREACH|TIMEDOUT)$/.test(code);
}

/** Resolves to `work`'s value, or to `fallback` when it fails or takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>, fallback: T, onFail?: (e: unknown) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      onFail?.(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
      resolve(fallback);
    }, ms);
  });
  try {
    return await Promise.race([
      work.catch((e: unknown) => {
        onFail?.(e);
        return fallback;
      }),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `work`, or a rejection with code ETIMEDOUT after `ms`. */
function deadline<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** A pinned_verdicts row as pg returns it: a BIGINT id as text, times as Date. */
type PinRow = Omit<Row, 'id' | 'pinned_at' | 'refreshed_at' | 'unpinned_at'> & {
  id: string | number;
  pinned_at: Date;
  refreshed_at: Date | null;
  unpinned_at: Date | null;
};

const pinOf = (r: PinRow): PinnedVerdict =>
  fromRow({
    ...r,
    id: Number(r.id),
    pinned_at: iso(r.pinned_at)!,
    refreshed_at: iso(r.refreshed_at),
    unpinned_at: iso(r.unpinned_at),
  });

/** The URL as logs may show it: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // pg also reads secrets from the query string.
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|key/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export class PostgresStore implements Store, SharedGuards {
  readonly kind = 'postgres' as const;
  readonly guards: SharedGuards = this;
  readonly where: string;
  learnedWrites = 0;

  private log: StoreLog | undefined;
  private readonly settingsCache = new Map<string, { at: number; value: Readonly<ServerSettings> }>();
  private readonly pinLookups = new Map<string, { at: number; value: PinnedVerdict | undefined }>();
  /** A server's approved reports (verdicts read them on every answer; they change when a moderator reviews). */
  private readonly approvedCache = new Map<string, { at: number; value: ApprovedReport[] }>();
  private listener: pg.Client | undefined;
  private listening = false;
  private closed = false;
  private lastPruneAt: number;
  private lastGuardPruneAt = 0;
  private lastWarnAt = -Infinity;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Until when calls answer at once without asking the database (see BREAKER_MS). */
  private breakerUntil = 0;
  private guardPruneTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly pool: pg.Pool,
    private readonly url: string,
    private readonly now: () => Date,
  ) {
    this.where = redactUrl(url);
    this.lastPruneAt = now().getTime();
    // An idle client whose server went away emits here; unhandled, it would end the process.
    pool.on('error', (e) => this.warn(e, 'a pooled database connection failed; it is replaced on next use'));
  }

  /** Connects, refuses a database that is not whichgpu's or is newer, migrates under an advisory lock. */
  static async open(url: string, o: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: WRITE_DEADLINE_MS,
      idleTimeoutMillis: 30_000,
      statement_timeout: 10_000,
      // A connection whose server went silent (a failover, a dead host) is given up on and
      // destroyed rather than held until the kernel's TCP timeout (~15 min) with its pool slot.
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'whichgpu',
    });
    const store = new PostgresStore(pool, url, o.now ?? (() => new Date()));
    if (o.log) store.logTo(o.log);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof StoreError) throw e;
      throw new StoreError(`Cannot use the database at ${store.where}: ${(e as Error).message}`, 'CANNOT_OPEN', {
        cause: e,
      });
    }
    await store.listen();
    // Signatures and idle buckets go every minute whether or not requests arrive.
    store.guardPruneTimer = setInterval(() => void store.pruneShared(), PRUNE_GUARDS_EVERY_MS);
    store.guardPruneTimer.unref();
    return store;
  }

  private async migrate(): Promise<void> {
    // A connection of its own: migrations may take longer than the pool's query timeout.
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      await client.query('BEGIN');
      // Instances starting at once: one migrates, the others wait here, then find nothing to do.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      const tables = (
        await client.query<{ name: string }>(
          // pg_class, not information_schema: the latter lists only tables this role may use.
          "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        )
      ).rows.map((r) => r.name);
      let current = 0;
      if (tables.length > 0) {
        const meta = tables.includes('app_meta')
          ? (await client.query<{ key: string; value: string }>('SELECT key, value FROM app_meta')).rows
          : [];
        if (meta.find((m) => m.key === 'app')?.value !== APP_ID)
          throw new StoreError(
            `${this.where} is a PostgreSQL database, but not whichgpu's (tables: ${tables.slice(0, 5).join(', ')}). Point DATABASE_URL at a new database.`,
            'NOT_OURS',
          );
        current = Number(meta.find((m) => m.key === 'schema_version')?.value ?? 0);
      }
      if (current > PG_MIGRATIONS.length)
        throw new StoreError(
          `${this.where} was written by a newer whichgpu (schema ${current}; this version knows ${PG_MIGRATIONS.length}).`,
          'NEWER_SCHEMA',
        );
      for (const [i, m] of PG_MIGRATIONS.entries()) {
        const version = i + 1;
        if (version <= current) continue;
        await client.query(m.sql);
        if (version === 1)
          await client.query("INSERT INTO app_meta (key, value) VALUES ('app', $1), ('created_at', $2)", [
            APP_ID,
            this.now().toISOString(),
          ]);
        await client.query(
          "INSERT INTO app_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [String(version)],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** LISTENs for other instances' changes on a connection of its own; reconnects with a backoff. */
  private async listen(delayMs = 0): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: WRITE_DEADLINE_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    const lost = (e?: unknown) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.listening = false;
      // Changes made while deaf are unknown: forget everything, and hear again as soon as possible.
      this.settingsCache.clear();
      this.pinLookups.clear();
      this.approvedCache.clear();
      client.end().catch(() => undefined);
      if (this.closed) return;
      if (e) this.warn(e, 'lost the change notifications; caches expire by time until they are back');
      const next = Math.min(10_000, Math.max(250, delayMs * 2));
      this.reconnectTimer = setTimeout(() => void this.listen(next), next);
      this.reconnectTimer.unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => this.invalidate(n.payload ?? ''));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listening = true;
    } catch (e) {
      lost(e);
    }
  }

  /** A change another instance (or this one) committed: "settings|platform|server" or "pins|platform|server". */
  private invalidate(payload: string): void {
    const [what, platform, ...rest] = payload.split('|');
    const server = rest.join('|');
    if (what === 'settings') this.settingsCache.delete(`${platform}:${server}`);
    else if (what === 'pins') {
      const prefix = `${platform}|${server}|`;
      for (const k of this.pinLookups.keys()) if (k.startsWith(prefix)) this.pinLookups.delete(k);
    } else if (what === 'reports') {
      const prefix = `${platform}|${server}|`;
      for (const k of this.approvedCache.keys()) if (k.startsWith(prefix)) this.approvedCache.delete(k);
    }
  }

  /** True while change notifications arrive (tests and /readyz say so). */
  get hearingChanges(): boolean {
    return this.listening;
  }

  logTo(log: StoreLog): void {
    this.log = log;
  }

  private warn(e: unknown, msg: string): void {
    const t = Date.now();
    if (t - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = t;
    this.log?.warn({ err: e, code: (e as { code?: unknown }).code }, msg);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const l = this.listener;
    this.listener = undefined;
    clearInterval(this.guardPruneTimer);
    // Bounded: ending waits on each socket's goodbye, which a vanished host never sends.
    const ended = Promise.all([l?.end().catch(() => undefined), this.pool.end().catch(() => undefined)]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    // Not through the breaker: readiness asks the database itself.
    return within(
      1000,
      this.pool.query('SELECT 1').then(() => true),
      false,
    );
  }

  /** The database failed to answer: calls answer at once for BREAKER_MS. */
  private trip(): void {
    this.breakerUntil = Date.now() + BREAKER_MS;
  }

  private get tripped(): boolean {
    return Date.now() < this.breakerUntil;
  }

  /**
   * A read bounded by READ_DEADLINE_MS; the database unavailable, silent or recently failing:
   * StoreError BUSY, which every platform answers plainly ("the bot's storage is busy").
   */
  private async q<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    if (this.tripped) throw new StoreError('The database is not answering right now', 'BUSY');
    try {
      return await deadline(READ_DEADLINE_MS, this.pool.query<R>(text, values));
    } catch (e) {
      if (!unavailable(e)) throw e;
      this.trip();
      this.warn(e, 'the database is not answering: reads answer BUSY for a moment');
      throw new StoreError(`The database is unavailable (${(e as Error).message})`, 'BUSY', { cause: e });
    }
  }

  /** An answer-path call: its value within `ms`, else `fallback` (and the breaker trips). */
  private within<T>(ms: number, work: Promise<T>, fallback: T, onFail?: (e: unknown) => void): Promise<T> {
    return within(ms, work, fallback, (e) => {
      // Its own deadline passed: the database is silent. (A refusal was counted by q; a BUSY from an
      // open breaker must not hold it open.)
      if ((e as { code?: unknown }).code === 'ETIMEDOUT') this.trip();
      onFail?.(e);
    });
  }

  /**
   * Runs a moderator's write in one transaction, with a NOTIFY of what changed; returns only after
   * COMMIT succeeded. The database unreachable or restarting: BUSY; anything else it refuses:
   * WRITE_FAILED. Either is logged.
   */
  private async write<T>(what: string, notify: string, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.tripped) throw new StoreError(`Cannot ${what}: the database is not answering right now`, 'BUSY');
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    const started = Date.now();
    const left = () => Math.max(1, WRITE_DEADLINE_MS - (Date.now() - started));
    try {
      const connected = this.pool.connect();
      // A connection that arrives after the deadline goes back to the pool unused.
      let gaveUp = false;
      connected.then(
        (late) => (gaveUp ? late.release() : undefined),
        () => undefined,
      );
      client = await deadline(left(), connected).catch((e: unknown) => {
        gaveUp = true;
        throw e;
      });
      const c = client;
      await deadline(left(), c.query('BEGIN'));
      const value = await deadline(left(), work(c));
      await deadline(left(), c.query('SELECT pg_notify($1, $2)', [CHANNEL, notify]));
      // Past this deadline the outcome is unknown; every write here is safe to make again.
      await deadline(left(), c.query('COMMIT'));
      return value;
    } catch (e) {
      if (unavailable(e)) broken = e as Error;
      else if (client) await client.query('ROLLBACK').catch(() => undefined);
      if (e instanceof StoreError) throw e;
      if (unavailable(e)) {
        this.trip();
        this.log?.warn(
          { err: e, code: (e as { code?: unknown }).code, what },
          'store write refused: the database is unavailable',
        );
        throw new StoreError(`Cannot ${what}: the database is unavailable (${(e as Error).message})`, 'BUSY', {
          cause: e,
        });
      }
      this.log?.error({ err: e, code: (e as { code?: unknown }).code, what }, 'store write failed');
      throw new StoreError(`Cannot ${what}: ${(e as Error).message}`, 'WRITE_FAILED', { cause: e });
    } finally {
      // A client whose connection broke or went silent is destroyed rather than returned to the pool.
      client?.release(broken);
    }
  }

  async pin(p: NewPin, now = this.now()): Promise<PinnedVerdict> {
    const queryJson = JSON.stringify(p.query);
    const row = await this.write(
      'save the pin',
      `pins|${p.platform}|${p.serverId}`,
      async (c) =>
        (
          await c.query<PinRow>(
            `INSERT INTO pinned_verdicts (platform, server_id, channel_id, message_id, query_key, query_json, state_id, headline, winner, data_version, pinned_by, pinned_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (platform, server_id, message_id) DO UPDATE SET
             unpinned_at = NULL, unpinned_by = NULL, pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at, state_id = excluded.state_id
           RETURNING *`,
            [
              p.platform,
              p.serverId,
              p.channelId,
              p.messageId,
              p.queryKey,
              queryJson,
              p.stateId ?? shortHash(queryJson),
              p.headline,
              p.winner,
              p.dataVersion,
              p.pinnedBy,
              now,
            ],
          )
        ).rows[0]!,
    );
    this.invalidate(`pins|${p.platform}|${p.serverId}`);
    return pinOf(row);
  }

  async get(platform: Platform, serverId: string, id: number): Promise<PinnedVerdict | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const r = await this.q<PinRow>('SELECT * FROM pinned_verdicts WHERE id = $1 AND platform = $2 AND server_id = $3', [
      id,
      platform,
      serverId,
    ]);
    return r.rows[0] ? pinOf(r.rows[0]) : undefined;
  }

  async list(platform: Platform, serverId: string, page = 1, pageSize = PAGE_SIZE): Promise<Page<PinnedVerdict>> {
    const total = Number(
      (
        await this.q<{ n: string }>(
          'SELECT count(*) AS n FROM pinned_verdicts WHERE platform = $1 AND server_id = $2 AND unpinned_at IS NULL',
          [platform, serverId],
        )
      ).rows[0]!.n,
    );
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const p = Math.min(Math.max(1, Math.floor(page)), pages);
    const rows = (
      await this.q<PinRow>(
        'SELECT * FROM pinned_verdicts WHERE platform = $1 AND server_id = $2 AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT $3 OFFSET $4',
        [platform, serverId, pageSize, (p - 1) * pageSize],
      )
    ).rows;
    return { items: rows.map(pinOf), page: p, pages, total };
  }

  async findByQuery(platform: Platform, serverId: string, queryKey: string): Promise<PinnedVerdict | undefined> {
    return this.cachedRead(
      this.pinLookups,
      `${platform}|${serverId}|${queryKey}`,
      () =>
        this.q<PinRow>(
          'SELECT * FROM pinned_verdicts WHERE platform = $1 AND server_id = $2 AND query_key = $3 AND unpinned_at IS NULL ORDER BY pinned_at DESC, id DESC LIMIT 1',
          [platform, serverId, queryKey],
        ).then((r) => (r.rows[0] ? pinOf(r.rows[0]) : undefined)),
      // Not known now: the answer goes out without the pin, and the next question asks again.
      () => undefined,
      'pin lookup failed: answering without it',
    );
  }

  /**
   * An answer-path read through a cache: a fresh entry, else the database within ANSWER_PATH_MS,
   * else the stale entry or `fallback` (not cached, so the next question reads again).
   */
  private async cachedRead<T>(
    cache: Map<string, { at: number; value: T }>,
    key: string,
    read: () => Promise<T>,
    fallback: () => T,
    failure: string,
  ): Promise<T> {
    const t = Date.now();
    const hit = cache.get(key);
    if (hit && t - hit.at < CACHE_TTL_MS) return hit.value;
    let failed = false;
    const value = await this.within(ANSWER_PATH_MS, read(), hit ? hit.value : fallback(), (e) => {
      failed = true;
      this.warn(e, failure);
    });
    if (!failed) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { at: t, value });
    }
    return value;
  }

  async unpin(
    platform: Platform,
    serverId: string,
    id: number,
    by: string,
    now = this.now(),
  ): Promise<PinnedVerdict | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.write(
      'unpin',
      `pins|${platform}|${serverId}`,
      async (c) =>
        (
          await c.query<PinRow>(
            'UPDATE pinned_verdicts SET unpinned_at = $1, unpinned_by = $2 WHERE id = $3 AND platform = $4 AND server_id = $5 AND unpinned_at IS NULL RETURNING *',
            [now, by, id, platform, serverId],
          )
        ).rows[0],
    );
    this.invalidate(`pins|${platform}|${serverId}`);
    return row ? pinOf(row) : undefined;
  }

  async refresh(
    platform: Platform,
    serverId: string,
    id: number,
    update: { headline: string; winner: string; dataVersion: string },
    now = this.now(),
  ): Promise<PinnedVerdict | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.write(
      'refresh the pin',
      `pins|${platform}|${serverId}`,
      async (c) =>
        (
          await c.query<PinRow>(
            'UPDATE pinned_verdicts SET headline = $1, winner = $2, data_version = $3, refreshed_at = $4 WHERE id = $5 AND platform = $6 AND server_id = $7 RETURNING *',
            [update.headline, update.winner, update.dataVersion, now, id, platform, serverId],
          )
        ).rows[0],
    );
    this.invalidate(`pins|${platform}|${serverId}`);
    return row ? pinOf(row) : undefined;
  }

  async settings(platform: Platform, serverId: string): Promise<Readonly<ServerSettings>> {
    return this.cachedRead(
      this.settingsCache,
      `${platform}:${serverId}`,
      () =>
        this.q<{ settings_json: string }>(
          'SELECT settings_json FROM server_settings WHERE platform = $1 AND server_id = $2',
          [platform, serverId],
        ).then((r) =>
          Object.freeze(
            r.rows[0]
              ? ServerSettingsSchema.parse({
                  ...DEFAULT_SETTINGS,
                  ...(JSON.parse(r.rows[0].settings_json) as object),
                })
              : { ...DEFAULT_SETTINGS },
          ),
        ),
      // Unreadable now: the last settings known (the stale entry), else the defaults.
      () => Object.freeze({ ...DEFAULT_SETTINGS }),
      'settings could not be read: answering with the last known',
    );
  }

  async saveSettings(
    platform: Platform,
    serverId: string,
    settings: ServerSettings,
    by: string,
    now = this.now(),
  ): Promise<ServerSettings> {
    const valid = ServerSettingsSchema.parse(settings);
    await this.write('save the settings', `settings|${platform}|${serverId}`, (c) =>
      c.query(
        `INSERT INTO server_settings (platform, server_id, settings_json, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (platform, server_id) DO UPDATE SET settings_json = excluded.settings_json, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
        [platform, serverId, JSON.stringify(valid), by, now],
      ),
    );
    this.settingsCache.set(`${platform}:${serverId}`, { at: Date.now(), value: Object.freeze({ ...valid }) });
    return { ...valid };
  }

  async saveQuery(query: Record<string, unknown>, now = this.now()): Promise<string | undefined> {
    const json = JSON.stringify(query);
    const id = shortHash(json);
    // One statement: a question posted again within a day costs no write (the WHERE skips it).
    const stored = await this.within(
      ANSWER_PATH_MS,
      this.q(
        `INSERT INTO shared_queries (id, query_json, posted_at) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET posted_at = excluded.posted_at
           WHERE shared_queries.posted_at < $4`,
        [id, json, now, new Date(now.getTime() - TOUCH_AFTER_MS)],
      ).then(() => true),
      false,
      (e) => this.warn(e, 'state not stored: verdicts go out without components'),
    );
    if (stored) this.schedulePrune(now);
    return stored ? id : undefined;
  }

  async loadQuery(id: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.q<{ query_json: string }>('SELECT query_json FROM shared_queries WHERE id = $1', [id]);
    return r.rows[0] ? (JSON.parse(r.rows[0].query_json) as Record<string, unknown>) : undefined;
  }

  /** At most hourly per instance, after a state write, a batch at a time. */
  private schedulePrune(now: Date): void {
    if (now.getTime() - this.lastPruneAt < PRUNE_QUERIES_EVERY_MS) return;
    this.lastPruneAt = now.getTime();
    const step = (): void => void this.prune(now).then((n) => n === 500 && !this.closed && setImmediate(step));
    step();
  }

  /** At most once a minute per instance, after a guard was asked. */
  private scheduleGuardPrune(): void {
    const t = Date.now();
    if (t - this.lastGuardPruneAt < PRUNE_GUARDS_EVERY_MS) return;
    this.lastGuardPruneAt = t;
    void this.pruneShared();
  }

  async prune(now = this.now(), batch = 500): Promise<number> {
    try {
      const r = await this.q(
        `DELETE FROM shared_queries WHERE id IN (
           SELECT id FROM shared_queries WHERE posted_at < $1
             AND id NOT IN (SELECT state_id FROM pinned_verdicts WHERE unpinned_at IS NULL AND state_id IS NOT NULL)
           ORDER BY posted_at LIMIT $2)`,
        [new Date(now.getTime() - SHARED_QUERY_RETENTION_MS), batch],
      );
      return r.rowCount ?? 0;
    } catch (e) {
      this.warn(e, 'pruning stored questions failed; tried again later');
      return 0;
    }
  }

  /** Signatures past their window and buckets idle for an hour (full again by then) go. Never throws. */
  async pruneShared(): Promise<void> {
    try {
      // In batches until a batch comes back short: at hundreds of requests a second a minute's
      // signatures are tens of thousands.
      for (const sql of [
        'DELETE FROM seen_signatures WHERE key IN (SELECT key FROM seen_signatures WHERE expires_at < clock_timestamp() LIMIT 5000)',
        // A bucket refilled to its capacity is the same as none.
        `DELETE FROM rate_buckets WHERE key IN (SELECT key FROM rate_buckets
           WHERE tokens + extract(epoch FROM clock_timestamp() - updated_at) / 60 * rate >= cap LIMIT 5000)`,
      ])
        for (let round = 0; round < 100 && !this.closed; round++) if (((await this.q(sql)).rowCount ?? 0) < 5000) break;
    } catch (e) {
      this.warn(e, 'pruning signatures and buckets failed; tried again later');
    }
  }

  async readLearned(source: LearnedRow['source'], ref: string, now = this.now()): Promise<LearnedRow | undefined> {
    const r = await this.q<{
      source: LearnedRow['source'];
      ref: string;
      status: LearnedRow['status'];
      json: string;
      fetched_at: Date;
      expires_at: Date;
    }>(
      'SELECT source, ref, status, facts_json AS json, fetched_at, expires_at FROM learned_models WHERE source = $1 AND ref = $2 AND expires_at > $3',
      [source, ref, now],
    );
    const row = r.rows[0];
    return row
      ? {
          source: row.source,
          ref: row.ref,
          status: row.status,
          json: row.json,
          fetchedAt: iso(row.fetched_at)!,
          expiresAt: iso(row.expires_at)!,
        }
      : undefined;
  }

  async saveLearned(row: LearnedRow): Promise<boolean> {
    if (row.json.length > LEARNED_ROW_MAX_CHARS) return false;
    const ok = await this.within(
      ANSWER_PATH_MS,
      this.q(
        `INSERT INTO learned_models (source, ref, status, facts_json, fetched_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (source, ref) DO UPDATE SET status = excluded.status, facts_json = excluded.facts_json,
             fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
        [row.source, row.ref, row.status, row.json, row.fetchedAt, row.expiresAt],
      ).then(() => true),
      false,
      (e) => this.warn(e, 'learned model not cached'),
    );
    if (ok) {
      this.learnedWrites++;
      void this.q(
        'DELETE FROM learned_models WHERE (source, ref) IN (SELECT source, ref FROM learned_models WHERE expires_at <= $1 ORDER BY expires_at LIMIT 200)',
        [row.fetchedAt],
      ).catch(() => undefined);
    }
    return ok;
  }

  async recentLearned(limit: number, now = this.now()): Promise<RecentLearned[]> {
    const rows = (
      await this.q<Record<string, unknown>>(
        `SELECT source, ref, facts_json::jsonb #>> '{basis,ref}' AS "basisRef", facts_json::jsonb ->> 'name' AS name,
           coalesce(facts_json::jsonb -> 'parameters', facts_json::jsonb -> 'ggufParameters') AS parameters, fetched_at
         FROM learned_models WHERE status = 'found' AND expires_at > $1
         ORDER BY fetched_at DESC LIMIT $2`,
        [now, Math.max(0, Math.min(limit, RECENT_LEARNED_MAX)) * 2],
      )
    ).rows;
    // A row whose JSON lacks its basis or name is left out, not guessed at.
    return rows
      .filter((r) => typeof r.basisRef === 'string' && typeof r.name === 'string')
      .slice(0, Math.max(0, Math.min(limit, RECENT_LEARNED_MAX)))
      .map((r) => ({
        source: r.source as RecentLearned['source'],
        ref: r.ref as string,
        basisRef: r.basisRef as string,
        name: r.name as string,
        parameters: typeof r.parameters === 'number' && r.parameters > 0 ? r.parameters : undefined,
        fetchedAt: iso(r.fetched_at)!,
      }));
  }

  async saveInstallation(key: string, row: SealedInstallation, now = this.now()): Promise<void> {
    await this.write('save the Slack installation', `installations|slack|${key}`, (c) =>
      c.query(
        `INSERT INTO slack_installations (key, team_id, enterprise_id, sealed, installed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id, sealed = excluded.sealed, installed_at = excluded.installed_at`,
        [key, row.teamId, row.enterpriseId, row.sealed, now],
      ),
    );
  }

  async readInstallation(key: string): Promise<SealedInstallation | undefined> {
    const r = await this.q<{ team_id: string | null; enterprise_id: string | null; sealed: string }>(
      'SELECT team_id, enterprise_id, sealed FROM slack_installations WHERE key = $1',
      [key],
    );
    const row = r.rows[0];
    return row ? { teamId: row.team_id, enterpriseId: row.enterprise_id, sealed: row.sealed } : undefined;
  }

  async deleteInstallation(key: string): Promise<number> {
    return this.write(
      'delete the Slack installation',
      `installations|slack|${key}`,
      async (c) => (await c.query('DELETE FROM slack_installations WHERE key = $1', [key])).rowCount ?? 0,
    );
  }

  async addReports(reports: readonly NewReport[], now = this.now()): Promise<CommunityReport[]> {
    if (reports.length === 0) return [];
    const placeholders = REPORT_COLUMNS.split(',')
      .map((_, i) => `$${i + 1}`)
      .join(', ');
    const rows = await this.write(
      reports.length > 1 ? 'save the reports' : 'save the report',
      `reports|${reports[0]!.platform}|${reports[0]!.serverId}`,
      async (c) => {
        const out: ReportRow[] = [];
        for (const r of reports)
          out.push(
            (
              await c.query<ReportRow>(
                `INSERT INTO community_reports (${REPORT_COLUMNS}) VALUES (${placeholders}) RETURNING *`,
                reportValues(r, now, r.flagged),
              )
            ).rows[0]!,
          );
        return out;
      },
    );
    return rows.map(reportOf);
  }

  async getReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const r = await this.q<ReportRow>(
      'SELECT * FROM community_reports WHERE id = $1 AND platform = $2 AND server_id = $3',
      [id, platform, serverId],
    );
    return r.rows[0] ? reportOf(r.rows[0]) : undefined;
  }

  async reviewReport(
    platform: Platform,
    serverId: string,
    id: number,
    decision: 'approved' | 'rejected',
    by: string,
    now = this.now(),
  ): Promise<CommunityReport | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.write(
      `${decision === 'approved' ? 'approve' : 'reject'} the report`,
      `reports|${platform}|${serverId}`,
      async (c) =>
        (
          await c.query<ReportRow>(
            'UPDATE community_reports SET status = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4 AND platform = $5 AND server_id = $6 RETURNING *',
            [decision, by, now, id, platform, serverId],
          )
        ).rows[0],
    );
    this.invalidate(`reports|${platform}|${serverId}`);
    return row ? reportOf(row) : undefined;
  }

  async deleteReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.write(
      'delete the report',
      `reports|${platform}|${serverId}`,
      async (c) =>
        (
          await c.query<ReportRow>(
            'DELETE FROM community_reports WHERE id = $1 AND platform = $2 AND server_id = $3 RETURNING *',
            [id, platform, serverId],
          )
        ).rows[0],
    );
    this.invalidate(`reports|${platform}|${serverId}`);
    return row ? reportOf(row) : undefined;
  }

  async listReports(
    platform: Platform,
    serverId: string,
    filter: ReportFilter,
    page = 1,
    pageSize = PAGE_SIZE,
  ): Promise<Page<CommunityReport>> {
    const statuses = filter === 'all' ? ['pending', 'approved', 'rejected'] : [filter];
    const total = Number(
      (
        await this.q<{ n: string }>(
          'SELECT count(*) AS n FROM community_reports WHERE platform = $1 AND server_id = $2 AND status = ANY($3)',
          [platform, serverId, statuses],
        )
      ).rows[0]!.n,
    );
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const p = Math.min(Math.max(1, Math.floor(page)), pages);
    const rows = (
      await this.q<ReportRow>(
        'SELECT * FROM community_reports WHERE platform = $1 AND server_id = $2 AND status = ANY($3) ORDER BY id DESC LIMIT $4 OFFSET $5',
        [platform, serverId, statuses, pageSize, (p - 1) * pageSize],
      )
    ).rows;
    return { items: rows.map(reportOf), page: p, pages, total };
  }

  /**
   * The server's approved reports are read once (one query however many machines and picks an
   * answer shows) and kept like the pins: NOTIFY drops the entry when a moderator reviews or
   * deletes one, CACHE_TTL_MS bounds it otherwise.
   */
  async approvedReports(
    platform: Platform,
    serverId: string,
    device: string,
    model: string,
    quant?: string,
  ): Promise<ApprovedReport[]> {
    return this.cachedRead(
      this.approvedCache,
      `${platform}|${serverId}|${device}|${model}|${quant ?? ''}`,
      () =>
        this.q<Omit<ReportRow, 'pasted'>>(
          `SELECT ${APPROVED_COLUMNS} FROM community_reports
           WHERE platform = $1 AND server_id = $2 AND status = 'approved' AND device = $3 AND model = $4 AND ($5::text IS NULL OR quant = $5)
           ORDER BY id DESC LIMIT $6`,
          [platform, serverId, device, model, quant ?? null, APPROVED_REPORTS_MAX],
        ).then((r) => r.rows.map(approvedOf).reverse()),
      // Not known now: the answer goes out without the community's figures.
      () => [],
      'approved reports could not be read: answering without them',
    );
  }

  async exportReports(): Promise<CommunityReport[]> {
    const r = await this.q<ReportRow>("SELECT * FROM community_reports WHERE status = 'approved' ORDER BY id");
    return r.rows.map(reportOf);
  }

  /**
   * The replay guard every instance shares: true the first time `key` (a request signature) is
   * presented, false after, until `expiresAt`. Undefined when the database could not say in time.
   */
  async admitOnce(key: string, expiresAt: Date): Promise<boolean | undefined> {
    this.scheduleGuardPrune();
    return this.within(
      ANSWER_PATH_MS,
      this.q(
        `INSERT INTO seen_signatures (key, expires_at) VALUES ($1, $2)
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_signatures.expires_at < clock_timestamp()
           RETURNING 1`,
        [key, expiresAt],
      ).then((r) => (r.rowCount ?? 0) > 0),
      undefined,
      (e) => this.warn(e, 'the shared replay guard could not be asked'),
    );
  }

  /**
   * One token from the user's and the server's shared buckets, in one statement on the database's
   * clock; undefined when the database could not say in time.
   */
  async takeToken(userKey: string, serverKey: string, spec: BucketSpecs): Promise<TokenDecision | undefined> {
    this.scheduleGuardPrune();
    return this.within(
      ANSWER_PATH_MS,
      this.q<{ ok: boolean; scope: 'user' | 'server' | null; retry_after: number }>(
        'SELECT * FROM whichgpu_take($1, $2, $3, $4, $5, $6)',
        [
          `u:${userKey}`,
          `s:${serverKey}`,
          spec.user.capacity,
          spec.user.perMinute,
          spec.server.capacity,
          spec.server.perMinute,
        ],
      ).then((r) => {
        const row = r.rows[0]!;
        return row.ok
          ? { ok: true as const }
          : { ok: false as const, scope: row.scope!, retryAfterSeconds: row.retry_after };
      }),
      undefined,
      (e) => this.warn(e, 'the shared rate limit could not be asked'),
    );
  }
}
