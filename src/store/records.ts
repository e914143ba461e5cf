/** The store's records and errors: what callers get back and what they hand in. */
import { createHash } from 'node:crypto';

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

export interface Row {
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

export const fromRow = (r: Row): PinnedVerdict => ({
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

/** 12 hex digits of SHA-256: short enough for a Discord custom_id, unique enough for our volume. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
