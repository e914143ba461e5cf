/**
 * What the bot needs of a store, whichever holds it: the embedded SQLite file (one process, or a few
 * on one disk) or a shared PostgreSQL database (several instances behind a load balancer). Every
 * method is async so both implementations keep one contract; the SQLite one answers at once.
 *
 * Writes a moderator asks for (pin, unpin, refresh, settings) return only once stored, or throw
 * StoreError BUSY / WRITE_FAILED (the commands answer those plainly). Writes on the answer path
 * (saveQuery, saveLearned) never throw and are bounded in time: an answer goes out without them.
 */
import type { LearnedRow, RecentLearned } from './learned-models.js';
import type { NewPin, Page, PinnedVerdict, Platform, StoreLog } from './records.js';
import type { ApprovedReport, CommunityReport, NewReport, ReportFilter } from './report-records.js';
import type { ServerSettings } from './settings-schema.js';

export interface SealedInstallation {
  teamId: string | null;
  enterpriseId: string | null;
  sealed: string;
}

/** A token-bucket verdict, as src/rate-limit.ts decides it. */
export type TokenDecision = { ok: true } | { ok: false; scope: 'user' | 'server'; retryAfterSeconds: number };
export interface BucketSpecs {
  user: { capacity: number; perMinute: number };
  server: { capacity: number; perMinute: number };
}

/**
 * What instances on one database must agree on besides the records: a request signature accepted
 * by any is refused by all (the replay guard), and one set of rate-limit buckets. Each answers
 * undefined when the database could not say in time; the caller then decides alone.
 */
export interface SharedGuards {
  /** True the first time `key` is presented, false after, until `expiresAt`. */
  admitOnce(key: string, expiresAt: Date): Promise<boolean | undefined>;
  /** One token from the user's and the server's buckets, in one atomic statement. */
  takeToken(userKey: string, serverKey: string, spec: BucketSpecs): Promise<TokenDecision | undefined>;
}

export interface Store {
  /** Which implementation: said in the start log and /readyz. */
  readonly kind: 'sqlite' | 'postgres';
  /** The file's path, or the database URL without its password. */
  readonly where: string;
  /** From now on, writes that fail are logged here. */
  logTo(log: StoreLog): void;
  close(): Promise<void>;
  /** True when the store answers a trivial read now (/readyz). Never throws. */
  ping(): Promise<boolean>;

  /** Stores the pin (or revives the message's earlier one). */
  pin(p: NewPin, now?: Date): Promise<PinnedVerdict>;
  get(platform: Platform, serverId: string, id: number): Promise<PinnedVerdict | undefined>;
  /** Active pins of a server, newest first. */
  list(platform: Platform, serverId: string, page?: number, pageSize?: number): Promise<Page<PinnedVerdict>>;
  /** The newest active pin for the same normalized query in this server (cached a few seconds). */
  findByQuery(platform: Platform, serverId: string, queryKey: string): Promise<PinnedVerdict | undefined>;
  unpin(platform: Platform, serverId: string, id: number, by: string, now?: Date): Promise<PinnedVerdict | undefined>;
  refresh(
    platform: Platform,
    serverId: string,
    id: number,
    update: { headline: string; winner: string; dataVersion: string },
    now?: Date,
  ): Promise<PinnedVerdict | undefined>;

  /** The server's settings (cached a few seconds; another instance's change shows within that). */
  settings(platform: Platform, serverId: string): Promise<Readonly<ServerSettings>>;
  saveSettings(
    platform: Platform,
    serverId: string,
    settings: ServerSettings,
    by: string,
    now?: Date,
  ): Promise<ServerSettings>;

  /** Remembers a normalized query under a short id; undefined if it could not be stored in time. Never throws. */
  saveQuery(query: Record<string, unknown>, now?: Date): Promise<string | undefined>;
  loadQuery(id: string): Promise<Record<string, unknown> | undefined>;
  /** Deletes up to `batch` shared queries past their retention that no active pin uses. Never throws. */
  prune(now?: Date, batch?: number): Promise<number>;

  /** A model a lookup learned (or did not find), if its row has not expired at `now`. */
  readLearned(source: LearnedRow['source'], ref: string, now?: Date): Promise<LearnedRow | undefined>;
  /** Caches a lookup's answer; false if it was too large or could not be written in time. Never throws. */
  saveLearned(row: LearnedRow): Promise<boolean>;
  /** Models lookups found, not expired at `now`, newest first. */
  recentLearned(limit: number, now?: Date): Promise<RecentLearned[]>;
  /** Moves when this process caches a lookup's answer. */
  readonly learnedWrites: number;
  /**
   * Slack workspaces that installed the app through OAuth, by key ("T123", "E456" for an Enterprise
   * Grid org install). `sealed` is the installation encrypted by the caller: the store never holds
   * a token in clear.
   */
  saveInstallation(key: string, row: SealedInstallation, now?: Date): Promise<void>;
  readInstallation(key: string): Promise<SealedInstallation | undefined>;
  /** How many rows went (0 when none was stored). */
  deleteInstallation(key: string): Promise<number>;

  /**
   * Community reports (issue 18), per server. A moderator's or a member's write: stored in one
   * transaction, all or none, each pending; throws StoreError BUSY / WRITE_FAILED.
   */
  addReports(reports: readonly NewReport[], now?: Date): Promise<CommunityReport[]>;
  /** The server's report with this id (another server's is not found). */
  getReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined>;
  /** Approves or rejects (again, when a moderator changes their mind); undefined when the server has no such report. */
  reviewReport(
    platform: Platform,
    serverId: string,
    id: number,
    decision: 'approved' | 'rejected',
    by: string,
    now?: Date,
  ): Promise<CommunityReport | undefined>;
  /** Deletes the report; the deleted one, or undefined when the server had none with this id. */
  deleteReport(platform: Platform, serverId: string, id: number): Promise<CommunityReport | undefined>;
  /** The server's reports with this status (or all), newest first. */
  listReports(
    platform: Platform,
    serverId: string,
    filter: ReportFilter,
    page?: number,
    pageSize?: number,
  ): Promise<Page<CommunityReport>>;
  /**
   * Approved reports of (device, model[, quant]) in this server, oldest first (at most
   * APPROVED_REPORTS_MAX), without their pastes. On the answer path: never throws; [] when the
   * store cannot say in time; cached a few seconds (this store's reviews show at once, another
   * instance's within the cache's life).
   */
  approvedReports(
    platform: Platform,
    serverId: string,
    device: string,
    model: string,
    quant?: string,
  ): Promise<ApprovedReport[]>;
  /** Every server's approved reports, oldest first (the export to the calibration file). */
  exportReports(): Promise<CommunityReport[]>;

  /** Present when several instances share this store (PostgreSQL). */
  readonly guards?: SharedGuards;
}
