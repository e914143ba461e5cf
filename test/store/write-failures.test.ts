/**
 * H1: a pin, unpin, refresh or settings save is acknowledged only when it is on disk. Tested on a
 * real full disk, then by reopening the file: a tiny tmpfs filled to ENOSPC (root), and a file-size
 * limit of 0 on this process (any user); each that works here runs every test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Reply } from '../../commands/types.js';
import { DEFAULT_SETTINGS } from '../../src/store/settings-schema.js';
import { SqliteStore, StoreError } from '../../src/store/store.js';
import { diskKinds, unavailable, type TinyDisk } from '../fixtures/tiny-disk.js';
import { captureLog } from '../helpers/log.js';
import { newPin } from '../helpers/pins.js';
import { commandContext } from '../helpers/context.js';

const writeFailed = async (f: () => Promise<unknown>) => {
  try {
    await f();
  } catch (e) {
    return e instanceof StoreError && e.code === 'WRITE_FAILED';
  }
  return false;
};

let disk: TinyDisk | undefined;
const stores: SqliteStore[] = [];
const open = (o: Parameters<typeof SqliteStore.open>[1] = {}) => {
  const s = SqliteStore.open(`${disk!.dir}/db.sqlite`, o);
  stores.push(s);
  return s;
};
afterEach(async () => {
  for (const s of stores.splice(0)) s.close();
  disk?.unmount();
  disk = undefined;
});

if (unavailable) it.skip(`writes on a full disk (no disk can be filled here: ${unavailable})`, () => {});

describe.each(diskKinds)('writes on a full disk ($name)', (kind) => {
  beforeEach(async () => {
    disk = kind.make(512);
  });

  it('pin, unpin, refresh and settings refuse instead of acknowledging; after reopening, what was acknowledged is there and what was refused is not', async () => {
    const { lines, log } = captureLog();
    const s = open({ log });
    const a = await s.pin(newPin('a'));
    const b = await s.pin(newPin('b'));
    await s.saveSettings('discord', 'g1', { ...DEFAULT_SETTINGS, hours: 6 }, 'admin');

    disk!.fill();
    const refused = {
      pin: await writeFailed(async () => await s.pin(newPin('c'))),
      unpin: await writeFailed(async () => await s.unpin('discord', 'g1', a.id, 'mod-2')),
      refresh: await writeFailed(
        async () => await s.refresh('discord', 'g1', b.id, { headline: 'refused', winner: 'tie', dataVersion: 'v2' }),
      ),
      settings: await writeFailed(
        async () => await s.saveSettings('discord', 'g1', { ...DEFAULT_SETTINGS, hours: 9 }, 'admin'),
      ),
    };
    expect(refused).toEqual({ pin: true, unpin: true, refresh: true, settings: true });
    // The same connection does not believe the refused writes either.
    expect((await s.list('discord', 'g1')).items.map((p) => p.messageId).sort()).toEqual(['a', 'b']);
    expect((await s.get('discord', 'g1', b.id))!.headline).toBe('headline b');
    expect((await s.settings('discord', 'g1')).hours).toBe(6);
    await new Promise((r) => setImmediate(r));
    const failures = lines.filter((l) => l.msg === 'store write failed');
    expect(failures.map((l) => l.what)).toEqual(['save the pin', 'unpin', 'refresh the pin', 'save the settings']);
    expect(failures.every((l) => l.code === disk!.sqliteCode && l.level === 50)).toBe(true);

    // Space again: the same connection writes, without a restart.
    disk!.free();
    const c = await s.pin(newPin('c'));
    s.close();

    const again = open();
    expect(again.integrityCheck()).toBe('ok');
    expect((await again.list('discord', 'g1')).items.map((p) => p.messageId).sort()).toEqual(['a', 'b', 'c']);
    expect(await again.get('discord', 'g1', a.id)).toMatchObject({ unpinnedAt: null, unpinnedBy: null });
    expect(await again.get('discord', 'g1', b.id)).toMatchObject({
      headline: 'headline b',
      dataVersion: 'v1',
      refreshedAt: null,
    });
    expect((await again.get('discord', 'g1', c.id))!.messageId).toBe('c');
    expect((await again.settings('discord', 'g1')).hours).toBe(6);
  });

  it('an acknowledged unpin and refresh are on disk after reopening', async () => {
    const s = open();
    const a = await s.pin(newPin('a'));
    const b = await s.pin(newPin('b'));
    expect((await s.unpin('discord', 'g1', a.id, 'mod-2'))!.unpinnedBy).toBe('mod-2');
    expect(
      (await s.refresh('discord', 'g1', b.id, { headline: 'new', winner: 'tie', dataVersion: 'v2' }))!.headline,
    ).toBe('new');
    expect(await s.unpin('discord', 'g1', a.id, 'mod-2')).toBeUndefined();
    expect(await s.refresh('discord', 'g1', 999, { headline: 'x', winner: 'tie', dataVersion: 'v2' })).toBeUndefined();
    s.close();
    const again = open();
    expect((await again.get('discord', 'g1', a.id))!.unpinnedBy).toBe('mod-2');
    expect(await again.get('discord', 'g1', b.id)).toMatchObject({ headline: 'new', dataVersion: 'v2' });
  });

  it('the pin, unpin, refresh and settings commands answer a failed write plainly, and the store logs it once', async () => {
    const { lines, log } = captureLog();
    const store = open({ log });
    const ctx = commandContext(store);
    const v = await commands.compare.execute(ctx, { text: 'llama 3.3 70b' });
    if (v.kind !== 'verdict') throw new Error(JSON.stringify(v));
    const kept = await store.pin(newPin('kept', { query: v.verdict.query as never, dataVersion: 'old' }));

    disk!.fill();
    const error = (r: Reply) => {
      expect(r.kind, JSON.stringify(r)).toBe('error');
      return (r as Extract<Reply, { kind: 'error' }>).error;
    };
    const pinned = error(await commands.pin.execute(ctx, { channelId: 'c1', messageId: 'msg-1', verdict: v.verdict }));
    expect(pinned).toEqual({
      code: 'STORE_WRITE_FAILED',
      message: "Couldn't save the pin: the bot's storage is failing, so the verdict is not in the pinned verdicts.",
      hint: 'Try again later.',
    });
    const unpinned = error(await commands.pins.execute(ctx, { action: 'unpin', id: kept.id }));
    expect(unpinned).toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: `Couldn't unpin #${kept.id}: the bot's storage is failing, so it is still pinned.`,
    });
    const refreshed = error(await commands.pins.execute(ctx, { action: 'refresh', id: kept.id }));
    expect(refreshed).toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: `Couldn't refresh #${kept.id}: the bot's storage is failing, so it keeps its earlier verdict.`,
    });
    const settings = error(await commands.settings.execute(ctx, { set: { hours: '9' } }));
    expect(settings).toMatchObject({
      code: 'STORE_WRITE_FAILED',
      message: "Couldn't save the settings: the bot's storage is failing, so they are unchanged.",
    });
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.msg === 'store write failed')).toHaveLength(4);

    disk!.free();
    expect((await commands.pin.execute(ctx, { channelId: 'c1', messageId: 'msg-1', verdict: v.verdict })).kind).toBe(
      'pinned',
    );
    expect(await store.get('discord', 'g1', kept.id)).toMatchObject({ dataVersion: 'old', unpinnedAt: null });
  });
});
