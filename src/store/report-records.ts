/**
 * Community reports (issue 18): a member's measured speed of one model on one machine, kept per
 * server as pending until a moderator approves or rejects it. What callers hand in and get back,
 * and the row mapping both stores share.
 */
import type { Platform } from './records.js';

export type ReportStatus = 'pending' | 'approved' | 'rejected';
/** A list's filter: one status, or every report. */
export type ReportFilter = ReportStatus | 'all';

/** The pasted text a report keeps (the schema refuses more; the command cuts it to this). */
export const REPORT_PASTE_MAX_CHARS = 4000;

export interface CommunityReport {
  id: number;
  platform: Platform;
  serverId: string;
  channelId: string;
  reportedBy: string;
  reportedByName: string;
  reportedAt: string;
  status: ReportStatus;
  reviewedBy: string | null;
  reviewedAt: string | null;
  /** Catalog ids. */
  device: string;
  model: string;
  /** A catalog quant id when the paste or the member named one. */
  quant: string | null;
  runtime: string | null;
  runtimeVersion: string | null;
  depthTokens: number;
  promptTokens: number | null;
  decodeTokensPerSec: number | null;
  prefillTokensPerSec: number | null;
  /** A figure fell outside the estimate's band when it was reported: a moderator's second look. */
  flagged: boolean;
  /** The paste, at most REPORT_PASTE_MAX_CHARS. */
  pasted: string;
}

/** An approved report as answers read it: everything but the paste (verdicts read these on every answer). */
export type ApprovedReport = Omit<CommunityReport, 'pasted'>;

/** What a report is created from: the stored record less what the store assigns. */
export type NewReport = Omit<CommunityReport, 'id' | 'reportedAt' | 'status' | 'reviewedBy' | 'reviewedAt'>;

/** A community_reports row as both stores hold it (times as ISO text or Date, ids as number or text). */
export interface ReportRow {
  id: number | string;
  platform: Platform;
  server_id: string;
  channel_id: string;
  reported_by: string;
  reported_by_name: string;
  reported_at: string | Date;
  status: ReportStatus;
  reviewed_by: string | null;
  reviewed_at: string | Date | null;
  device: string;
  model: string;
  quant: string | null;
  runtime: string | null;
  runtime_version: string | null;
  depth_tokens: number;
  prompt_tokens: number | null;
  decode_tps: number | null;
  prefill_tps: number | null;
  flagged: number | boolean;
  pasted: string;
}

const isoOf = (v: string | Date | null): string | null =>
  v === null ? null : typeof v === 'string' ? v : v.toISOString();

export const reportOf = (r: ReportRow): CommunityReport => ({
  id: Number(r.id),
  platform: r.platform,
  serverId: r.server_id,
  channelId: r.channel_id,
  reportedBy: r.reported_by,
  reportedByName: r.reported_by_name,
  reportedAt: isoOf(r.reported_at)!,
  status: r.status,
  reviewedBy: r.reviewed_by,
  reviewedAt: isoOf(r.reviewed_at),
  device: r.device,
  model: r.model,
  quant: r.quant,
  runtime: r.runtime,
  runtimeVersion: r.runtime_version,
  depthTokens: r.depth_tokens,
  promptTokens: r.prompt_tokens,
  decodeTokensPerSec: r.decode_tps,
  prefillTokensPerSec: r.prefill_tps,
  flagged: r.flagged === true || r.flagged === 1,
  pasted: r.pasted,
});

/** The columns of an insert, in this order, from a new report (flagged as 0/1 for SQLite, boolean for PostgreSQL). */
export const REPORT_COLUMNS =
  'platform, server_id, channel_id, reported_by, reported_by_name, reported_at, status, device, model, quant, runtime, runtime_version, depth_tokens, prompt_tokens, decode_tps, prefill_tps, flagged, pasted';

export function reportValues(r: NewReport, at: string | Date, flagged: number | boolean): unknown[] {
  return [
    r.platform,
    r.serverId,
    r.channelId,
    r.reportedBy,
    r.reportedByName,
    at,
    'pending',
    r.device,
    r.model,
    r.quant,
    r.runtime,
    r.runtimeVersion,
    r.depthTokens,
    r.promptTokens,
    r.decodeTokensPerSec,
    r.prefillTokensPerSec,
    flagged,
    // PostgreSQL's text refuses NUL; neither store needs it.
    r.pasted.replace(/\u0000/g, '').slice(0, REPORT_PASTE_MAX_CHARS),
  ];
}

/** The columns of an ApprovedReport. */
export const APPROVED_COLUMNS =
  'id, platform, server_id, channel_id, reported_by, reported_by_name, reported_at, status, reviewed_by, reviewed_at, device, model, quant, runtime, runtime_version, depth_tokens, prompt_tokens, decode_tps, prefill_tps, flagged';

export function approvedOf(r: Omit<ReportRow, 'pasted'>): ApprovedReport {
  const { pasted: _, ...rest } = reportOf({ ...r, pasted: '' });
  return rest;
}

/** Approved reports a verdict reads at most per (server, device, model): the median of more says nothing new. */
export const APPROVED_REPORTS_MAX = 500;
