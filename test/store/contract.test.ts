/**
 * The store's contract, run against both implementations: the SQLite file and a real PostgreSQL
 * database (a fresh one per test, on the run's server). What a command or an adapter can observe
 * must not depend on which store holds it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/port.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { DEFAULT_SETTINGS } from '../../src/store/settings-schema.js';
import { StoreError, SHARED_QUERY_RETENTION_MS } from '../../src/store/store.js';
import { newPin } from '../helpers/pins.js';
import { freshDatabase } from '../helpers/postgres.js';
import { storeImplementations, type OpenedStore } from '../helpers/stores.js';

const DAY = 86_400_000;

type Opened = OpenedStore;
const implementations = storeImplementations;

describe.each(implementations)('the store contract on %s', (_name, open) => {
  let opened: Opened;
  let s: Store;
  beforeEach(async () => {
    opened = await open();
    s = opened.store;
  });
  afterEach(async () => opened.close());

  it('pins are listed per server, newest first, ten to a page, and found by their query', async () => {
    for (let i = 0; i < 12; i++)
      await s.pin(newPin(`m${i}`, { queryKey: `q${i % 3}` }), new Date(Date.UTC(2026, 0, 1 + i)));
    await s.pin(newPin('other', { serverId: 'g2' }));
    const first = await s.list('discord', 'g1', 1);
    expect(first).toMatchObject({ page: 1, pages: 2, total: 12 });
    expect(first.items.map((p) => p.messageId)).toEqual(['m11', 'm10', 'm9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2']);
    expect((await s.list('discord', 'g1', 2)).items.map((p) => p.messageId)).toEqual(['m1', 'm0']);
    // A page past the end is the last page.
    expect((await s.list('discord', 'g1', 9)).page).toBe(2);
    expect((await s.findByQuery('discord', 'g1', 'q0'))?.messageId).toBe('m9');
    expect(await s.findByQuery('discord', 'g1', 'nothing')).toBeUndefined();
    // Another server's pin is not this server's, even by id.
    const theirs = (await s.list('discord', 'g2')).items[0]!;
    expect(await s.get('discord', 'g1', theirs.id)).toBeUndefined();
    expect((await s.get('discord', 'g2', theirs.id))?.messageId).toBe('other');
  });

  it('a pin keeps its record exactly: the query as JSON, the times as ISO strings', async () => {
    const at = new Date(Date.UTC(2026, 10, 30, 12, 0, 0, 123));
    const p = await s.pin(newPin('m1', { query: { model: 'llama-3.3-70b', nested: { a: [1, 'b'] } } }), at);
    expect(p).toMatchObject({
      platform: 'discord',
      serverId: 'g1',
      messageId: 'm1',
      query: { model: 'llama-3.3-70b', nested: { a: [1, 'b'] } },
      pinnedAt: '2026-11-30T12:00:00.123Z',
      refreshedAt: null,
      unpinnedAt: null,
      unpinnedBy: null,
    });
    expect(await s.get('discord', 'g1', p.id)).toEqual(p);
  });

  it('unpin ends a pin once; refresh updates its figures; pinning the message again revives it', async () => {
    const p = await s.pin(newPin('m1'));
    const gone = await s.unpin('discord', 'g1', p.id, 'mod-2', new Date(Date.UTC(2026, 10, 1)));
    expect(gone).toMatchObject({ unpinnedBy: 'mod-2', unpinnedAt: '2026-11-01T00:00:00.000Z' });
    expect(await s.unpin('discord', 'g1', p.id, 'mod-3')).toBeUndefined();
    expect(await s.findByQuery('discord', 'g1', p.queryKey)).toBeUndefined();
    expect((await s.list('discord', 'g1')).total).toBe(0);
    const refreshed = await s.refresh('discord', 'g1', p.id, { headline: 'new', winner: 'tie', dataVersion: 'v9' });
    expect(refreshed).toMatchObject({ headline: 'new', winner: 'tie', dataVersion: 'v9' });
    expect(refreshed?.refreshedAt).toEqual(expect.any(String));
    expect(await s.refresh('discord', 'g1', 999_999, { headline: 'x', winner: 'x', dataVersion: 'x' })).toBeUndefined();
    const again = await s.pin(newPin('m1', { pinnedBy: 'mod-4' }));
    expect(again).toMatchObject({ id: p.id, pinnedBy: 'mod-4', unpinnedAt: null });
    expect((await s.list('discord', 'g1')).total).toBe(1);
  });

  it("settings default to the seed's, persist validated, and an invalid one is refused without a write", async () => {
    expect(await s.settings('slack', 'T1')).toEqual(DEFAULT_SETTINGS);
    await s.saveSettings('slack', 'T1', { ...DEFAULT_SETTINGS, kwh_price: 0.3, hours: 12 }, 'admin');
    await expect(s.saveSettings('slack', 'T1', { ...DEFAULT_SETTINGS, hours: 30 }, 'admin')).rejects.toThrow(
      /between 0.1 and 24/,
    );
    expect(await s.settings('slack', 'T1')).toMatchObject({ kwh_price: 0.3, hours: 12 });
    expect(await s.settings('discord', 'T1')).toEqual(DEFAULT_SETTINGS);
  });

  it('a shared query is stored under its hash, read back, and pruned by age unless an active pin uses it', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - SHARED_QUERY_RETENTION_MS - DAY);
    const kept = (await s.saveQuery({ model: 'kept' }, old))!;
    const pruned = (await s.saveQuery({ model: 'pruned' }, old))!;
    const fresh = (await s.saveQuery({ model: 'fresh' }, now))!;
    expect(kept).toMatch(/^[0-9a-f]{12}$/);
    expect(await s.saveQuery({ model: 'fresh' }, now)).toBe(fresh);
    await s.pin(newPin('m1', { stateId: kept }));
    expect(await s.prune(now)).toBe(1);
    expect(await s.loadQuery(pruned)).toBeUndefined();
    expect(await s.loadQuery(kept)).toEqual({ model: 'kept' });
    expect(await s.loadQuery(fresh)).toEqual({ model: 'fresh' });
  });

  it('learned models are read until they expire, and the recent list holds found ones, newest first', async () => {
    const t = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 12, minutes)).toISOString();
    const facts = (ref: string, name: string) => JSON.stringify({ basis: { ref }, name, parameters: 7e9 });
    await s.saveLearned({
      source: 'huggingface',
      ref: 'a/one-7b',
      status: 'found',
      json: facts('a/One-7B', 'One'),
      fetchedAt: t(0),
      expiresAt: t(60),
    });
    await s.saveLearned({
      source: 'huggingface',
      ref: 'b/two-7b',
      status: 'found',
      json: facts('b/Two-7B', 'Two'),
      fetchedAt: t(5),
      expiresAt: t(60),
    });
    await s.saveLearned({
      source: 'ollama',
      ref: 'nope',
      status: 'not_found',
      json: '{"code":"NOT_FOUND","message":"no"}',
      fetchedAt: t(6),
      expiresAt: t(60),
    });
    expect(await s.readLearned('huggingface', 'a/one-7b', new Date(t(30)))).toMatchObject({
      status: 'found',
      fetchedAt: t(0),
      expiresAt: t(60),
    });
    expect(await s.readLearned('huggingface', 'a/one-7b', new Date(t(61)))).toBeUndefined();
    const recent = await s.recentLearned(10, new Date(t(30)));
    expect(recent.map((r) => [r.ref, r.basisRef, r.name, r.parameters])).toEqual([
      ['b/two-7b', 'b/Two-7B', 'Two', 7e9],
      ['a/one-7b', 'a/One-7B', 'One', 7e9],
    ]);
    expect(
      await s.saveLearned({
        source: 'ollama',
        ref: 'big',
        status: 'found',
        json: 'x'.repeat(300_000),
        fetchedAt: t(0),
        expiresAt: t(60),
      }),
    ).toBe(false);
  });

  it('Slack installations are kept sealed by key and removed', async () => {
    expect(await s.readInstallation('T1')).toBeUndefined();
    await s.saveInstallation('T1', { teamId: 'T1', enterpriseId: null, sealed: 'v1.sealed' });
    await s.saveInstallation('T1', { teamId: 'T1', enterpriseId: null, sealed: 'v1.resealed' });
    expect(await s.readInstallation('T1')).toEqual({ teamId: 'T1', enterpriseId: null, sealed: 'v1.resealed' });
    expect(await s.deleteInstallation('T1')).toBe(1);
    expect(await s.deleteInstallation('T1')).toBe(0);
  });

  it('answers a ping while open', async () => {
    expect(await s.ping()).toBe(true);
  });
});

describe('what only PostgreSQL does', () => {
  it("refuses a database that is not whichgpu's, and one written by a newer whichgpu", async () => {
    const db = await freshDatabase();
    try {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query('CREATE TABLE invoices (id int)');
      await c.end();
      await expect(PostgresStore.open(db.url)).rejects.toMatchObject({ code: 'NOT_OURS' });
      await expect(PostgresStore.open(db.url)).rejects.toThrow(/not whichgpu's \(tables: invoices\)/);
    } finally {
      await db.drop();
    }
    const newer = await freshDatabase();
    try {
      (await PostgresStore.open(newer.url)).close();
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: newer.url });
      await c.connect();
      await c.query("UPDATE app_meta SET value = '99' WHERE key = 'schema_version'");
      await c.end();
      const e = await PostgresStore.open(newer.url).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StoreError);
      expect(e).toMatchObject({ code: 'NEWER_SCHEMA' });
    } finally {
      await newer.drop();
    }
  });

  it('an unreachable database is refused at start with its URL, the password hidden', async () => {
    const e = await PostgresStore.open('postgres://whichgpu:secret@127.0.0.1:1/none').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('CANNOT_OPEN');
    expect((e as StoreError).message).toContain('postgres://whichgpu:***@127.0.0.1:1/none');
    expect((e as StoreError).message).not.toContain('secret');
  });

  it('two stores on one database see each other: a pin, a settings change (by notification, well within 5 s), one replay guard, one set of buckets', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open(db.url), PostgresStore.open(db.url)]);
    try {
      await until(() => a.hearingChanges && b.hearingChanges);
      const pin = await a.pin(newPin('m1'));
      expect((await b.findByQuery('discord', 'g1', pin.queryKey))?.id).toBe(pin.id);
      // Warm caches on A, then change through B.
      expect((await a.settings('discord', 'g1')).hours).toBe(8);
      expect(await a.findByQuery('discord', 'g1', 'q-new')).toBeUndefined();
      const t0 = performance.now();
      await b.saveSettings('discord', 'g1', { ...DEFAULT_SETTINGS, hours: 3 }, 'admin');
      await b.pin(newPin('m2', { queryKey: 'q-new' }));
      await until(async () => (await a.settings('discord', 'g1')).hours === 3);
      await until(async () => (await a.findByQuery('discord', 'g1', 'q-new')) !== undefined);
      // The notification, not the 4 s expiry, brought it.
      expect(performance.now() - t0).toBeLessThan(2000);

      const expires = new Date(Date.now() + 300_000);
      expect(await a.admitOnce('discord:sig-1', expires)).toBe(true);
      expect(await b.admitOnce('discord:sig-1', expires)).toBe(false);
      expect(await a.admitOnce('discord:sig-1', expires)).toBe(false);

      const spec = { user: { capacity: 2, perMinute: 1 }, server: { capacity: 100, perMinute: 100 } };
      expect(await a.takeToken('g1:u1', 'g1', spec)).toEqual({ ok: true });
      expect(await b.takeToken('g1:u1', 'g1', spec)).toEqual({ ok: true });
      expect(await a.takeToken('g1:u1', 'g1', spec)).toEqual({ ok: false, scope: 'user', retryAfterSeconds: 60 });
      // Another user of the same server still has tokens; the server's bucket counted all three.
      expect(await b.takeToken('g1:u2', 'g1', spec)).toEqual({ ok: true });
      // A server's bucket is shared by its members on every instance.
      const serverSpec = { user: { capacity: 100, perMinute: 100 }, server: { capacity: 3, perMinute: 1 } };
      for (const [store, user] of [
        [a, 'u1'],
        [b, 'u2'],
        [a, 'u3'],
      ] as const)
        expect(await store.takeToken(`g2:${user}`, 'g2', serverSpec)).toEqual({ ok: true });
      expect(await b.takeToken('g2:u4', 'g2', serverSpec)).toEqual({
        ok: false,
        scope: 'server',
        retryAfterSeconds: 60,
      });
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
