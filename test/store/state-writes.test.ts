/**
 * M1: the state a verdict's components need is saved on the answer path; a held lock or a full disk
 * must not delay or fail the answer (it goes out without components). M5: that state is pruned by
 * age. Both through the whole app, Discord over HTTP and Slack over HTTP, on loopback fakes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { inputOfQuery } from '../../commands/pin-shared.js';
import type { CommandContext } from '../../commands/types.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SHARED_QUERY_RETENTION_MS, SqliteStore } from '../../src/store/store.js';
import { command, component, signBody, testKeys } from '../discord/helpers.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { diskKinds, unavailable, type TinyDisk } from '../fixtures/tiny-disk.js';
import { catalog } from '../helpers/catalog.js';
import { blockActions, slackSignedHeaders, slashCommand } from '../slack/helpers.js';
import { captureLog } from '../helpers/log.js';

const SECRET = 'test-signing-secret';
const keys = testKeys();
const discordApi = new FakeDiscordApi();
const slackApi = new FakeSlackApi();
beforeAll(async () => {
  await discordApi.start();
  await slackApi.start();
});
afterAll(async () => {
  await discordApi.stop();
  await slackApi.stop();
});

const DAY = 86_400_000;
let app: RunningApp | undefined;
let store: SqliteStore | undefined;
let other: Database.Database | undefined;
let disk: TinyDisk | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.stop();
  other?.close();
  store?.close();
  disk?.unmount();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = store = other = disk = dir = undefined;
});

/** The app on `s`, answering Discord interactions and Slack over HTTP. */
async function start(s: SqliteStore, log = createLogger('silent')): Promise<void> {
  store = s;
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_USER_BURST: '1000',
    RATE_LIMIT_SERVER_BURST: '100000',
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: keys.publicKeyHex,
    DISCORD_TOKEN: 'test-token',
    DISCORD_API_URL: discordApi.url,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slackApi.url,
    // Answers as JSON text: these tests read the verdict's components, not its chart.
    CHARTS: 'off',
  });
  app = await startApp(config, { catalog, store: s, log });
}

type DiscordData = {
  content?: string;
  embeds?: { title: string }[];
  components?: { components: { custom_id: string }[] }[];
};
async function discord(payload: unknown): Promise<DiscordData> {
  const body = JSON.stringify(payload);
  const res = await fetch(`http://127.0.0.1:${app!.port}/discord/interactions`, {
    method: 'POST',
    body,
    headers: signBody(keys.privateKey, body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: DiscordData }).data;
}
const customIds = (d: DiscordData) => (d.components ?? []).flatMap((r) => r.components.map((c) => c.custom_id));

let seq = 0;
type SlackMessage = { text: string; blocks: { type: string; elements?: { action_id: string; value?: string }[] }[] };
async function slack(form: Record<string, string>, id: string): Promise<SlackMessage> {
  const body = new URLSearchParams(form).toString();
  const res = await fetch(`http://127.0.0.1:${app!.port}/slack/events`, {
    method: 'POST',
    body,
    headers: slackSignedHeaders(SECRET, body),
  });
  expect(res.status).toBe(200);
  return (await slackApi.waitFor((c) => c.method === `/response/${id}`)).body as SlackMessage;
}
const slash = (text: string) => {
  const id = `cmd-${++seq}`;
  return slack(slashCommand(text, 'UMEMBER', slackApi.responseUrl(id)), id);
};
const click = (action: Record<string, unknown>) => {
  const id = `act-${++seq}`;
  return slack({ payload: JSON.stringify(blockActions(action, 'UMEMBER', slackApi.responseUrl(id))) }, id);
};
const actions = (m: SlackMessage) => m.blocks.find((b) => b.type === 'actions')?.elements ?? [];

/** How long the event loop stood still at most while `work` ran, and how long `work` took, in ms. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; stalledMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  h.disable();
  return { value, ms, stalledMs: h.max / 1e6 };
}

// Each test asks questions no other test asks: the verdict cache outlives a test's database.
describe('a state write on the answer path (M1)', () => {
  it('while another connection holds the write lock, a new question is answered at once, without components, then with them once the lock is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-state-'));
    const path = join(dir, 'db.sqlite');
    await start(SqliteStore.open(path));
    other = new Database(path);
    other.exec('BEGIN IMMEDIATE');

    // Before the fix: the event loop stopped for the 5 s busy timeout, then "Something went wrong".
    const d = await timed(() => discord(command('compare', { model: 'llama-3.1-8b', hours: 3.25 })));
    expect(d.value.embeds?.[0]?.title).toMatch(/Llama 3\.1 8B/);
    expect(d.value.components).toBeUndefined();
    const s = await timed(() => slash('llama 3.1 8b 3.75h/day'));
    expect(s.value.text).toMatch(/Llama 3\.1 8B/);
    expect(actions(s.value)).toEqual([]);
    // Generous bounds for a loaded 2-core machine; the old code took 5,000 ms for each.
    for (const t of [d, s]) {
      expect(t.ms).toBeLessThan(1000);
      expect(t.stalledMs).toBeLessThan(1000);
    }

    other.exec('ROLLBACK');
    const later = await discord(command('compare', { model: 'llama-3.1-8b', hours: 3.25 }));
    expect(customIds(later).map((id) => id.split(':')[0])).toEqual(['quant', 'ctx', 'pin', 'src']);
    expect(actions(await slash('llama 3.1 8b 3.75h/day')).map((e) => e.action_id)).toContain('whichgpu_pin');
  });

  if (unavailable)
    it.skip(`on a full disk a new question still gets its verdict (no disk can be filled here: ${unavailable})`, async () => {});
  it.each(diskKinds)(
    'on a full disk ($name) a new question still gets its verdict, without components, and the failure is logged once',
    async (kind) => {
      disk = kind.make(512);
      // A question per kind: a verdict asked before keeps its stored state in the verdict cache.
      const hours = 4.25 + diskKinds.indexOf(kind);
      const { lines, log } = captureLog();
      await start(SqliteStore.open(join(disk.dir, 'db.sqlite')), log);
      disk.fill();

      const d = await discord(command('compare', { model: 'qwen2.5-coder:32b', hours }));
      expect(d.embeds?.[0]?.title).toMatch(/Qwen2\.5-Coder 32B/);
      expect(d.components).toBeUndefined();
      const s = await slash(`qwen2.5-coder:32b ${hours + 0.5}h/day`);
      expect(s.text).toMatch(/Qwen2\.5-Coder 32B/);
      expect(actions(s)).toEqual([]);
      const warnings = lines.filter((l) => l.msg === 'state not stored: verdicts go out without components');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ component: 'store', code: disk.sqliteCode, level: 40 });

      disk.free();
      expect(customIds(await discord(command('compare', { model: 'qwen2.5-coder:32b', hours })))).toHaveLength(4);
    },
  );
});

const question = (i: number) => ({
  model: 'llama-3.1-8b',
  quant: 'Q4_K_M',
  contextTokens: 8192,
  workflow: 'chat',
  hoursPerDay: i,
});
const count = (path: string) => {
  const raw = new Database(path, { readonly: true });
  const n = (raw.prepare('SELECT count(*) AS n FROM shared_queries').get() as { n: number }).n;
  raw.close();
  return n;
};
/** `n` questions last posted at `at`, written in one transaction (saveQuery would fsync each). */
const backlog = (path: string, n: number, at: Date) => {
  const raw = new Database(path);
  const insert = raw.prepare('INSERT INTO shared_queries (id, query_json, posted_at) VALUES (?, ?, ?)');
  raw.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`old-${at.getTime()}-${i}`, JSON.stringify(question(i)), at.toISOString());
  })();
  raw.close();
};

describe('pruning stored questions (M5)', () => {
  it('drops a question not posted for the retention period, keeps recent and re-posted ones', async () => {
    const now = new Date(Date.UTC(2026, 5, 1));
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const s = (store = SqliteStore.open(':memory:', { now: () => ago(30) }));
    const old = (await s.saveQuery(question(1), ago(8)))!;
    const recent = (await s.saveQuery(question(2), ago(6)))!;
    const reposted = (await s.saveQuery(question(3), ago(8)))!;
    expect(await s.saveQuery(question(3), ago(2))).toBe(reposted);

    expect(SHARED_QUERY_RETENTION_MS).toBe(7 * DAY);
    expect(await s.prune(now)).toBe(1);
    expect(await s.loadQuery(old)).toBeUndefined();
    expect(await s.loadQuery(recent)).toEqual(question(2));
    expect(await s.loadQuery(reposted)).toEqual(question(3));
  });

  it("keeps the state of an actively pinned message however old, so its selects and Sources still work; an unpinned one's goes", async () => {
    const now = new Date(Date.UTC(2026, 5, 1));
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const s = (store = SqliteStore.open(':memory:', { now: () => ago(90) }));
    const newPin = async (messageId: string, query: Record<string, unknown>, stateId?: string) =>
      await s.pin(
        {
          platform: 'discord',
          serverId: 'g1',
          channelId: 'c1',
          messageId,
          queryKey: `k-${messageId}`,
          query,
          stateId,
          headline: 'h',
          winner: 'tie',
          dataVersion: 'v1',
          pinnedBy: 'mod',
        },
        ago(60),
      );
    // The message's components carry the id of the query as posted; the pin stores a recomputed one
    // (the model by id where the posted one had it as typed), so the adapter passes the id.
    const posted = (await s.saveQuery({ ...question(10), modelInput: 'llama 3.1 8b' }, ago(60)))!;
    const pinned = await newPin('m1', { ...question(10), modelInput: 'llama-3.1-8b' }, posted);
    // Without an id, the pin's own query's: right when it is the posted one.
    const asPosted = (await s.saveQuery(question(11), ago(60)))!;
    await newPin('m2', question(11));
    const unpinned = (await s.saveQuery(question(12), ago(60)))!;
    const gone = await newPin('m3', question(12), unpinned);
    await s.unpin('discord', 'g1', gone.id, 'mod', ago(1));

    expect(await s.prune(now)).toBe(1);
    expect(await s.loadQuery(posted)).toEqual({ ...question(10), modelInput: 'llama 3.1 8b' });
    expect(await s.loadQuery(asPosted)).toEqual(question(11));
    expect(await s.loadQuery(unpinned)).toBeUndefined();
    // Unpinned, it goes at the next prune: it was last posted 60 days ago.
    await s.unpin('discord', 'g1', pinned.id, 'mod', now);
    expect(await s.prune(now)).toBe(1);
    expect(await s.loadQuery(posted)).toBeUndefined();
  });

  it("a pin made through the command with its Pin button's state id keeps that state, though the verdict it pins was recomputed", async () => {
    const now = new Date(Date.UTC(2026, 5, 1));
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const s = (store = SqliteStore.open(':memory:', { now: () => ago(90) }));
    const ctx = {
      catalog,
      store: s,
      platform: 'discord',
      serverId: 'g1',
      channelId: 'c1',
      user: { id: 'mod', name: 'mod' },
      canAdminister: async () => true,
      canModerate: async () => true,
    } satisfies CommandContext;
    // As the adapters do: the verdict posted, its state saved, then recomputed from that state on Pin.
    const pinOf = async (text: string, messageId: string, passStateId: boolean) => {
      const posted = await commands.compare.execute(ctx, { text });
      if (posted.kind !== 'verdict') throw new Error(JSON.stringify(posted));
      const stateId = (await s.saveQuery(posted.verdict.query as unknown as Record<string, unknown>, ago(30)))!;
      const recomputed = await commands.compare.execute(ctx, inputOfQuery((await s.loadQuery(stateId))!) as never);
      if (recomputed.kind !== 'verdict') throw new Error(JSON.stringify(recomputed));
      const pinned = await commands.pin.execute(ctx, {
        channelId: 'c1',
        messageId,
        verdict: recomputed.verdict,
        ...(passStateId ? { stateId } : {}),
      });
      expect(pinned.kind).toBe('pinned');
      return stateId;
    };
    const kept = await pinOf('llama 3.1 8b', 'm1', true);
    // Without the id, the store can only take the recomputed query's, which is not the message's.
    const lost = await pinOf('qwen2.5-coder:32b', 'm2', false);
    expect(await s.prune(now)).toBe(1);
    expect(await s.loadQuery(kept)).toBeDefined();
    expect(await s.loadQuery(lost)).toBeUndefined();
  });

  it('an upgrade from schema 3 finds the state of each active pin, before pruning at open', async () => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-upgrade-'));
    const path = join(dir, 'db.sqlite');
    const raw = new Database(path);
    for (const m of MIGRATIONS.slice(0, 3)) raw.exec(m.sql);
    raw
      .prepare(
        "INSERT INTO app_meta (key, value) VALUES ('app', 'whichgpu'), ('created_at', '2026-01-01T00:00:00.000Z')",
      )
      .run();
    raw.pragma('user_version = 3');
    const long = '2026-01-01T00:00:00.000Z';
    const state = raw.prepare('INSERT INTO shared_queries (id, query_json, posted_at) VALUES (?, ?, ?)');
    const q = (modelInput: string | null, hours: number) => JSON.stringify({ ...question(hours), modelInput });
    state.run('typed', q('llama 3.1 8b', 20), long);
    state.run('typed-later', q('llama3.1:8b', 20), '2026-01-02T00:00:00.000Z');
    state.run('other', q('llama 3.1 8b', 21), long);
    state.run('unpinned', q('llama 3.1 8b', 22), long);
    const pinRow = raw.prepare(
      `INSERT INTO pinned_verdicts (platform, server_id, channel_id, message_id, query_key, query_json, headline, winner, data_version, pinned_by, pinned_at, unpinned_at)
       VALUES ('discord', 'g1', 'c1', ?, 'k', ?, 'h', 'tie', 'v1', 'mod', ?, ?)`,
    );
    pinRow.run('m1', q('llama-3.1-8b', 20), long, null);
    pinRow.run('m2', q('llama-3.1-8b', 22), long, '2026-01-03T00:00:00.000Z');
    pinRow.run('m3', q('llama-3.1-8b', 23), long, null);
    raw.close();

    const s = (store = SqliteStore.open(path, { now: () => new Date(Date.UTC(2026, 5, 1)) }));
    other = new Database(path, { readonly: true });
    const pins = other.prepare('SELECT message_id, state_id FROM pinned_verdicts ORDER BY message_id').all() as {
      message_id: string;
      state_id: string | null;
    }[];
    // The newest stored question that is the pin's but for how the model was typed; none for m2
    // (unpinned) and m3 (no stored question).
    expect(Object.fromEntries(pins.map((p) => [p.message_id, p.state_id]))).toEqual({
      m1: 'typed-later',
      m2: null,
      m3: null,
    });
    expect(await s.loadQuery('typed-later')).toBeDefined();
    expect(await Promise.all(['typed', 'other', 'unpinned'].map((id) => s.loadQuery(id)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('prunes in bounded batches: the whole backlog at open, then at most hourly after a state write, a batch per turn of the event loop', async () => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-prune-'));
    const path = join(dir, 'db.sqlite');
    const t0 = new Date(Date.UTC(2026, 5, 1)).getTime();
    let s = SqliteStore.open(path, { now: () => new Date(t0) });
    backlog(path, 1200, new Date(t0 - 8 * DAY));
    await s.saveQuery(question(99), new Date(t0));
    expect(await s.prune(new Date(t0), 500)).toBe(500);
    s.close();
    expect(count(path)).toBe(701);

    s = store = SqliteStore.open(path, { now: () => new Date(t0) });
    expect(count(path)).toBe(1);

    backlog(path, 1200, new Date(t0 - 9 * DAY));
    // Within the hour since the last prune: no prune.
    await s.saveQuery(question(98), new Date(t0 + 30 * 60_000));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(count(path)).toBe(1202);
    // Past the hour: pruned after the write returned, 500, 500, then the last 200.
    await s.saveQuery(question(97), new Date(t0 + 61 * 60_000));
    expect(count(path)).toBe(1203);
    await new Promise((r) => setImmediate(r));
    expect(count(path)).toBe(703);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(count(path)).toBe(3);
  });

  it('a component of a verdict whose question was pruned is answered "too old, ask again", on Discord and on Slack', async () => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-stale-'));
    await start(SqliteStore.open(join(dir, 'db.sqlite')));
    const d = await discord(command('compare', { model: 'llama-3.1-8b', hours: 5.25 }));
    const quant = customIds(d).find((id) => id.startsWith('quant:'))!;
    const s = await slash('llama 3.1 8b 5.75h/day');
    const pinButton = actions(s).find((e) => e.action_id === 'whichgpu_pin')!;
    // Still fresh: the select recomputes.
    expect((await discord(component(quant, ['Q8_0']))).embeds?.[0]?.title).toMatch(/Q8_0/);

    // The two questions and the Q8_0 variant.
    expect(await store!.prune(new Date(Date.now() + SHARED_QUERY_RETENTION_MS + DAY))).toBe(3);
    expect((await discord(component(quant, ['Q8_0']))).content).toBe(
      'That verdict is too old to change; ask again with /compare.',
    );
    const stale = await click({
      type: 'static_select',
      action_id: 'whichgpu_quant',
      selected_option: { value: `${pinButton.value}|Q8_0` },
    });
    expect(stale.text).toBe('That verdict is too old to change; ask again with /whichgpu.');
  });
});
