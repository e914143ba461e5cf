/**
 * Community reports in the SQLite file (schema 8). Writes go through the store's `write` (one
 * IMMEDIATE transaction, acknowledged after COMMIT, BUSY / WRITE_FAILED otherwise); reads are
 * prepared statements on the two indexes of the migration.
 */
import type Database from 'better-sqlite3';
import { PAGE_SIZE, type Page, type Platform } from './records.js';
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

export class SqliteReports {
  constructor(
    private readonly deps: {
      stmt: (sql: string) => Database.Statement;
      write: <T>(what: string, work: () => T) => T;
    },
  ) {}

  private row(id: number): ReportRow {
    return this.deps.stmt('SELECT * FROM community_reports WHERE id = ?').get(id) as ReportRow;
  }

  add(reports: readonly NewReport[], now: Date): CommunityReport[] {
    const at = now.toISOString();
    const placeholders = REPORT_COLUMNS.split(',')
      .map(() => '?')
      .join(', ');
    const rows = this.deps.write(reports.length > 1 ? 'save the reports' : 'save the report', () =>
      reports.map((r) => {
        const { lastInsertRowid } = this.deps
          .stmt(`INSERT INTO community_reports (${REPORT_COLUMNS}) VALUES (${placeholders})`)
          .run(...reportValues(r, at, r.flagged ? 1 : 0));
        return this.row(Number(lastInsertRowid));
      }),
    );
    return rows.map(reportOf);
  }

  get(platform: Platform, serverId: string, id: number): CommunityReport | undefined {
    const row = this.deps
      .stmt('SELECT * FROM community_reports WHERE id = ? AND platform = ? AND server_id = ?')
      .get(id, platform, serverId) as ReportRow | undefined;
    return row ? reportOf(row) : undefined;
  }

  review(
    platform: Platform,
    serverId: string,
    id: number,
    decision: 'approved' | 'rejected',
    by: string,
    now: Date,
  ): CommunityReport | undefined {
    const row = this.deps.write(`${decision === 'approved' ? 'approve' : 'reject'} the report`, () => {
      const { changes } = this.deps
        .stmt(
          'UPDATE community_reports SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND platform = ? AND server_id = ?',
        )
        .run(decision, by, now.toISOString(), id, platform, serverId);
      return changes ? this.row(id) : undefined;
    });
    return row ? reportOf(row) : undefined;
  }

  delete(platform: Platform, serverId: string, id: number): CommunityReport | undefined {
    const row = this.deps.write('delete the report', () => {
      const found = this.deps
        .stmt('SELECT * FROM community_reports WHERE id = ? AND platform = ? AND server_id = ?')
        .get(id, platform, serverId) as ReportRow | undefined;
      if (found) this.deps.stmt('DELETE FROM community_reports WHERE id = ?').run(id);
      return found;
    });
    return row ? reportOf(row) : undefined;
  }

  list(platform: Platform, serverId: string, filter: ReportFilter, page: number, pageSize = PAGE_SIZE) {
    // "all" matches every status through the same index: status IN (the three).
    const statuses = filter === 'all' ? ['pending', 'approved', 'rejected'] : [filter, filter, filter];
    const where = 'platform = ? AND server_id = ? AND status IN (?, ?, ?)';
    const total = (
      this.deps
        .stmt(`SELECT count(*) AS n FROM community_reports WHERE ${where}`)
        .get(platform, serverId, ...statuses) as {
        n: number;
      }
    ).n;
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const p = Math.min(Math.max(1, Math.floor(page)), pages);
    const rows = this.deps
      .stmt(`SELECT * FROM community_reports WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(platform, serverId, ...statuses, pageSize, (p - 1) * pageSize) as ReportRow[];
    return { items: rows.map(reportOf), page: p, pages, total } satisfies Page<CommunityReport>;
  }

  approved(platform: Platform, serverId: string, device: string, model: string, quant?: string): ApprovedReport[] {
    const rows =
      quant === undefined
        ? this.deps
            .stmt(
              `SELECT ${APPROVED_COLUMNS} FROM community_reports WHERE platform = ? AND server_id = ? AND device = ? AND model = ? AND status = 'approved' ORDER BY id DESC LIMIT ?`,
            )
            .all(platform, serverId, device, model, APPROVED_REPORTS_MAX)
        : this.deps
            .stmt(
              `SELECT ${APPROVED_COLUMNS} FROM community_reports WHERE platform = ? AND server_id = ? AND device = ? AND model = ? AND quant = ? AND status = 'approved' ORDER BY id DESC LIMIT ?`,
            )
            .all(platform, serverId, device, model, quant, APPROVED_REPORTS_MAX);
    // The newest APPROVED_REPORTS_MAX, oldest first.
    return (rows as Omit<ReportRow, 'pasted'>[]).map(approvedOf).reverse();
  }

  all(): CommunityReport[] {
    return (
      this.deps.stmt("SELECT * FROM community_reports WHERE status = 'approved' ORDER BY id").all() as ReportRow[]
    ).map(reportOf);
  }
}
