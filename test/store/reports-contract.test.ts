/**
 * Community reports (issue 18) in the store's contract, run against both implementations: the
 * SQLite file and a real PostgreSQL database (a fresh one per test, on the run's server).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { REPORT_LIMITS } from '../../commands/report.js';
import { commandContext } from '../helpers/context.js';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { StoreError } from '../../src/store/store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { newReport, storeImplementations, type OpenedStore } from '../helpers/stores.js';

type Opened = OpenedStore;
const implementations = storeImplementations;

const T0 = new Date('2026-03-01T12:00:00.000Z');

describe.each(implementations)('community reports on %s', (_name, open) => {
  let opened: Opened;
  let s: Store;
  beforeEach(async () => {
    opened = await open();
    s = opened.store;
  });
  afterEach(async () => opened.close());

  it('stores reports pending, with who, when and where, and every field as given', async () => {
    const [a, b] = await s.addReports(
      [
        newReport(),
        newReport({
          quant: null,
          runtime: null,
          runtimeVersion: null,
          promptTokens: null,
          decodeTokensPerSec: null,
          depthTokens: 4096,
          flagged: true,
        }),
      ],
      T0,
    );
    expect(a).toEqual({
      ...newReport(),
      id: a!.id,
      reportedAt: T0.toISOString(),
      status: 'pending',
      reviewedBy: null,
      reviewedAt: null,
    });
    expect(b).toMatchObject({ quant: null, decodeTokensPerSec: null, prefillTokensPerSec: 11_000, flagged: true });
    expect(b!.id).toBeGreaterThan(a!.id);
    expect(await s.getReport('discord', 'g1', a!.id)).toEqual(a);
    // Another server's report is not this server's, even by id; nor another platform's.
    expect(await s.getReport('discord', 'g2', a!.id)).toBeUndefined();
    expect(await s.getReport('slack', 'g1', a!.id)).toBeUndefined();
    expect(await s.getReport('discord', 'g1', 999_999)).toBeUndefined();
  });

  it('keeps the first 4,000 characters of the paste, without NUL', async () => {
    const [r] = await s.addReports([newReport({ pasted: `a\u0000b${'x'.repeat(5000)}` })]);
    expect(r!.pasted).toHaveLength(4000);
    expect(r!.pasted.startsWith('abxx')).toBe(true);
  });

  it('a batch is stored whole or not at all: a report without a speed refuses the batch', async () => {
    const e = await s
      .addReports([newReport(), newReport({ decodeTokensPerSec: null, prefillTokensPerSec: null })])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('WRITE_FAILED');
    expect((await s.listReports('discord', 'g1', 'all')).total).toBe(0);
  });

  it('a moderator approves or rejects (and may change their mind); the review says who and when', async () => {
    const [r] = await s.addReports([newReport()], T0);
    const later = new Date(T0.getTime() + 60_000);
    const approved = await s.reviewReport('discord', 'g1', r!.id, 'approved', 'mod', later);
    expect(approved).toMatchObject({ status: 'approved', reviewedBy: 'mod', reviewedAt: later.toISOString() });
    const rejected = await s.reviewReport('discord', 'g1', r!.id, 'rejected', 'mod2');
    expect(rejected).toMatchObject({ status: 'rejected', reviewedBy: 'mod2' });
    // Not this server's: nothing changes.
    expect(await s.reviewReport('discord', 'g2', r!.id, 'approved', 'mod')).toBeUndefined();
    expect(await s.reviewReport('discord', 'g1', 999_999, 'approved', 'mod')).toBeUndefined();
    expect((await s.getReport('discord', 'g1', r!.id))?.status).toBe('rejected');
  });

  it('lists a server’s reports by status, newest first, ten to a page', async () => {
    const stored = await s.addReports(Array.from({ length: 13 }, (_, i) => newReport({ reportedBy: `u${i}` })));
    await s.addReports([newReport({ serverId: 'g2' })]);
    for (const r of stored.slice(0, 2)) await s.reviewReport('discord', 'g1', r.id, 'approved', 'mod');
    await s.reviewReport('discord', 'g1', stored[2]!.id, 'rejected', 'mod');
    const pending = await s.listReports('discord', 'g1', 'pending');
    expect(pending).toMatchObject({ page: 1, pages: 1, total: 10 });
    expect(pending.items.map((r) => r.reportedBy)).toEqual([
      'u12',
      'u11',
      'u10',
      'u9',
      'u8',
      'u7',
      'u6',
      'u5',
      'u4',
      'u3',
    ]);
    const all = await s.listReports('discord', 'g1', 'all', 2);
    expect(all).toMatchObject({ page: 2, pages: 2, total: 13 });
    expect(all.items.map((r) => r.reportedBy)).toEqual(['u2', 'u1', 'u0']);
    expect((await s.listReports('discord', 'g1', 'approved')).items.map((r) => r.reportedBy)).toEqual(['u1', 'u0']);
    expect((await s.listReports('discord', 'g1', 'rejected')).total).toBe(1);
    // A page past the end is the last page; an empty list has one empty page.
    expect((await s.listReports('discord', 'g1', 'all', 9)).page).toBe(2);
    expect(await s.listReports('discord', 'g3', 'all')).toEqual({ items: [], page: 1, pages: 1, total: 0 });
    expect(await s.listReports('discord', 'g1', 'pending', 1, 3)).toMatchObject({ pages: 4, total: 10 });
  });

  it('approved reports of (device, model[, quant]) in one server, oldest first; pending and rejected never', async () => {
    const [a, b, c, d, e, f] = await s.addReports([
      newReport({ decodeTokensPerSec: 100 }),
      newReport({ decodeTokensPerSec: 110 }),
      newReport({ decodeTokensPerSec: 120, quant: 'Q8_0' }),
      newReport({ decodeTokensPerSec: 130, device: 'rtx-3090' }),
      newReport({ decodeTokensPerSec: 140 }),
      newReport({ decodeTokensPerSec: 150, serverId: 'g2' }),
    ]);
    for (const r of [a, b, c, d]) await s.reviewReport('discord', 'g1', r!.id, 'approved', 'mod');
    await s.reviewReport('discord', 'g1', e!.id, 'rejected', 'mod');
    await s.reviewReport('discord', 'g2', f!.id, 'approved', 'mod');
    const speeds = (rs: { decodeTokensPerSec: number | null }[]) => rs.map((r) => r.decodeTokensPerSec);
    expect(speeds(await s.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b', 'Q4_K_M'))).toEqual([100, 110]);
    expect(speeds(await s.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b'))).toEqual([100, 110, 120]);
    expect(speeds(await s.approvedReports('discord', 'g1', 'rtx-3090', 'llama-3.1-8b', 'Q4_K_M'))).toEqual([130]);
    expect(speeds(await s.approvedReports('discord', 'g2', 'rtx-4090', 'llama-3.1-8b', 'Q4_K_M'))).toEqual([150]);
    expect(await s.approvedReports('slack', 'g1', 'rtx-4090', 'llama-3.1-8b')).toEqual([]);
    // Rejecting an approved one takes it off (on PostgreSQL, through the cache's invalidation).
    await s.reviewReport('discord', 'g1', a!.id, 'rejected', 'mod');
    expect(speeds(await s.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b', 'Q4_K_M'))).toEqual([110]);
  });

  it('a moderator deletes a report of this server; another server cannot', async () => {
    const [r] = await s.addReports([newReport()]);
    await s.reviewReport('discord', 'g1', r!.id, 'approved', 'mod');
    expect(await s.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b')).toHaveLength(1);
    expect(await s.deleteReport('discord', 'g2', r!.id)).toBeUndefined();
    expect((await s.deleteReport('discord', 'g1', r!.id))?.id).toBe(r!.id);
    expect(await s.getReport('discord', 'g1', r!.id)).toBeUndefined();
    expect(await s.deleteReport('discord', 'g1', r!.id)).toBeUndefined();
    expect(await s.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b')).toEqual([]);
  });

  it('exports every server’s approved reports, oldest first', async () => {
    const [a, b, c] = await s.addReports([
      newReport(),
      newReport({ serverId: 'g2', platform: 'slack' }),
      newReport({ serverId: 'g3' }),
    ]);
    await s.reviewReport('slack', 'g2', b!.id, 'approved', 'mod');
    await s.reviewReport('discord', 'g1', a!.id, 'approved', 'mod');
    await s.reviewReport('discord', 'g3', c!.id, 'rejected', 'mod');
    expect((await s.exportReports()).map((r) => [r.id, r.platform, r.serverId])).toEqual([
      [a!.id, 'discord', 'g1'],
      [b!.id, 'slack', 'g2'],
    ]);
  });
});

describe('community reports on two PostgreSQL stores of one database', () => {
  it('an approval through one shows in the other’s verdicts well within 5 s (its cache dropped by notification)', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(db.url), PostgresStore.open(db.url)]);
    try {
      await until(() => a.hearingChanges && b.hearingChanges);
      const [r] = await b.addReports([newReport()]);
      // Warm A's cache with "none approved".
      expect(await a.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b')).toEqual([]);
      const t0 = performance.now();
      await b.reviewReport('discord', 'g1', r!.id, 'approved', 'mod');
      await until(async () => (await a.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b')).length === 1);
      expect(performance.now() - t0).toBeLessThan(2000);
      await b.deleteReport('discord', 'g1', r!.id);
      await until(async () => (await a.approvedReports('discord', 'g1', 'rtx-4090', 'llama-3.1-8b')).length === 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});

describe('the report limit on two PostgreSQL stores of one database', () => {
  it('a member alternating between two instances is limited as by one', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(db.url), PostgresStore.open(db.url)]);
    try {
      const send = (store: Store) =>
        commands.report.execute(commandContext(store, false, 'alternating'), {
          action: 'submit',
          text: 'decode 150 tok/s',
          machine: 'rtx-4090',
          model: 'llama-3.1-8b',
          quant: 'Q4_K_M',
        });
      for (let i = 0; i < REPORT_LIMITS.user.capacity; i++) expect((await send(i % 2 ? b : a)).kind).toBe('report');
      const refused = await send(REPORT_LIMITS.user.capacity % 2 ? b : a);
      expect(refused).toMatchObject({ kind: 'error', error: { code: 'FORBIDDEN' } });
      expect((await a.listReports('discord', 'g1', 'all')).total).toBe(REPORT_LIMITS.user.capacity);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
