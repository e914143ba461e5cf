import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStore, StoreError, type NewPin } from '../../src/store/store.js';
import { DEFAULT_SETTINGS } from '../../src/store/settings-schema.js';
import { newPin } from '../helpers/pins.js';

const pin = (messageId: string, extra: Partial<NewPin> = {}): NewPin =>
  newPin(messageId, { queryKey: 'llama-3.1-8b|Q4_K_M|8192|chat|balanced|rtx-5090,mac-studio-m4-max-128gb', ...extra });

const root = join(import.meta.dirname, '..', '..');
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'whichgpu-store-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Store on a real SQLite file', () => {
  it('creates the file and its folder, in WAL mode with foreign keys on', async () => {
    const path = join(dir, 'nested', 'db.sqlite');
    const s = SqliteStore.open(path);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(8);
    raw.close();
  });

  it('pins, lists newest first with pages of 10, finds by query, refreshes and unpins; reopening keeps it all', async () => {
    const path = join(dir, 'db.sqlite');
    let s = SqliteStore.open(path);
    for (let i = 0; i < 12; i++) await s.pin(pin(`m${i}`), new Date(Date.UTC(2026, 0, 1, 0, i)));
    await s.pin(pin('other', { serverId: 'g2' }));
    const p1 = await s.list('discord', 'g1', 1);
    expect(p1).toMatchObject({ total: 12, pages: 2, page: 1 });
    expect(p1.items).toHaveLength(10);
    expect(p1.items[0]!.messageId).toBe('m11');
    expect((await s.list('discord', 'g1', 2)).items.map((p) => p.messageId)).toEqual(['m1', 'm0']);
    expect((await s.findByQuery('discord', 'g1', pin('x').queryKey))!.messageId).toBe('m11');

    const refreshed = await s.refresh('discord', 'g1', p1.items[0]!.id, {
      headline: 'new',
      winner: 'tie',
      dataVersion: 'v2',
    });
    expect(refreshed).toMatchObject({ headline: 'new', winner: 'tie', dataVersion: 'v2' });
    expect(refreshed!.refreshedAt).not.toBeNull();
    expect((await s.unpin('discord', 'g1', p1.items[1]!.id, 'mod-2'))!.unpinnedBy).toBe('mod-2');
    expect(await s.unpin('discord', 'g1', p1.items[1]!.id, 'mod-2')).toBeUndefined();
    expect(await s.get('discord', 'g2', p1.items[0]!.id)).toBeUndefined();
    s.close();

    s = SqliteStore.open(path);
    expect((await s.list('discord', 'g1')).total).toBe(11);
    expect((await s.get('discord', 'g1', p1.items[0]!.id))!.headline).toBe('new');
    expect((await s.list('discord', 'g2')).total).toBe(1);
    s.close();
  });

  it('pinning the same message again revives it instead of duplicating', async () => {
    const s = SqliteStore.open(join(dir, 'db.sqlite'));
    const a = await s.pin(pin('m1'));
    await s.unpin('discord', 'g1', a.id, 'mod');
    const b = await s.pin(pin('m1'));
    expect(b.id).toBe(a.id);
    expect(b.unpinnedAt).toBeNull();
    expect((await s.list('discord', 'g1')).total).toBe(1);
    s.close();
  });

  it('settings default to the seed and persist, validated', async () => {
    const path = join(dir, 'db.sqlite');
    let s = SqliteStore.open(path);
    expect(await s.settings('slack', 'T1')).toEqual(DEFAULT_SETTINGS);
    await s.saveSettings('slack', 'T1', { ...DEFAULT_SETTINGS, kwh_price: 0.3, hours: 12 }, 'admin');
    await expect(s.saveSettings('slack', 'T1', { ...DEFAULT_SETTINGS, hours: 30 }, 'admin')).rejects.toThrow(
      /between 0.1 and 24/,
    );
    s.close();
    s = SqliteStore.open(path);
    expect(await s.settings('slack', 'T1')).toMatchObject({ kwh_price: 0.3, hours: 12 });
    expect(await s.settings('discord', 'T1')).toEqual(DEFAULT_SETTINGS);
    s.close();
  });

  it('hands every reader the same frozen settings, replaced (not mutated) by a save', async () => {
    const s = SqliteStore.open(':memory:');
    const first = await s.settings('discord', 'g1');
    expect(Object.isFrozen(first)).toBe(true);
    expect(await s.settings('discord', 'g1')).toBe(first);
    expect(() => {
      (first as { hours: number }).hours = 1;
    }).toThrow(TypeError);
    await s.saveSettings('discord', 'g1', { ...first, hours: 2 }, 'admin');
    expect(first.hours).toBe(DEFAULT_SETTINGS.hours);
    expect(await s.settings('discord', 'g1')).toMatchObject({ hours: 2 });
    expect(Object.isFrozen(await s.settings('discord', 'g1'))).toBe(true);
    s.close();
  });

  it('refuses a database that is not ours, and a file that is not a database, with the path', async () => {
    const foreign = join(dir, 'foreign.sqlite');
    const raw = new Database(foreign);
    raw.exec('CREATE TABLE customers (id INTEGER)');
    raw.close();
    expect(() => SqliteStore.open(foreign)).toThrow(StoreError);
    expect(() => SqliteStore.open(foreign)).toThrow(/not whichgpu's/);
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite at all, just text '.repeat(200));
    expect(() => SqliteStore.open(junk)).toThrow(new RegExp(junk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});

function runWriter(path: string, name: string, count: number, onAck?: (line: string, kill: () => void) => void) {
  return new Promise<{ acks: string[]; busy: number; code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'test', 'fixtures', 'pin-writer.ts'), path, name, String(count)],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acks: string[] = [];
      let busy = 0;
      let buffer = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('busy ')) busy++;
          if (line.startsWith('ack ')) {
            acks.push(line);
            onAck?.(line, () => child.kill('SIGKILL'));
          }
        }
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        code && code !== 0 ? reject(new Error(stderr)) : resolve({ acks, busy, code, signal }),
      );
    },
  );
}

describe('durability', () => {
  it(
    'a writer killed with SIGKILL mid-burst leaves a readable database with every acknowledged pin',
    { timeout: 60_000 },
    async () => {
      const path = join(dir, 'crash.sqlite');
      SqliteStore.open(path).close();
      const { acks, signal } = await runWriter(path, 'w', 1_000_000, (_line, kill) => {
        // Kill at a random point after a few hundred acknowledged writes.
        if (Math.random() < 0.004) kill();
      });
      expect(signal).toBe('SIGKILL');
      expect(acks.length).toBeGreaterThan(0);
      const s = SqliteStore.open(path);
      expect(s.integrityCheck()).toBe('ok');
      const stored = new Set((await s.list('discord', 'guild-1', 1, 1_000_000)).items.map((p) => p.messageId));
      for (const a of acks) expect(stored.has(a.split(' ')[2]!)).toBe(true);
      s.close();
    },
  );

  it('two processes writing at once do not corrupt it or lose an acknowledged write', { timeout: 60_000 }, async () => {
    const path = join(dir, 'shared.sqlite');
    SqliteStore.open(path).close();
    // A write refused as BUSY is not acknowledged; the writer tries it again (see pin-writer.ts).
    const [a, b] = await Promise.all([runWriter(path, 'a', 300), runWriter(path, 'b', 300)]);
    expect(a.acks).toHaveLength(300);
    expect(b.acks).toHaveLength(300);
    const s = SqliteStore.open(path);
    expect(s.integrityCheck()).toBe('ok');
    const stored = (await s.list('discord', 'guild-1', 1, 10_000)).items.map((p) => `ack ${p.id} ${p.messageId}`);
    expect(stored.sort()).toEqual([...a.acks, ...b.acks].sort());
    s.close();
  });
});
