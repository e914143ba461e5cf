import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type ShardSetting } from '../../src/discord/gateway.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';
import { catalog } from '../helpers/catalog.js';
import { captureLog } from '../helpers/log.js';
import { FakeDiscordApi, type RecordedRequest } from '../fakes/discord-api.js';
import { FakeDiscordGateway, type FakeGatewayOptions } from '../fakes/discord-gateway.js';
import { command, GUILD, serveGuild } from './helpers.js';

// discord.js spaces identifies 5 s apart per max_concurrency bucket, and a loaded machine is slower.
const SLOW = { timeout: 60_000 };

const api = new FakeDiscordApi();
let store: Store;
let dir: string;

beforeAll(async () => {
  await api.start();
  serveGuild(api);
  dir = mkdtempSync(join(tmpdir(), 'whichgpu-sharding-'));
  store = await openStore({ databasePath: join(dir, 'db.sqlite') });
});
afterAll(async () => {
  await store.close();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The fake gateway and a client started as the app starts it (startGateway), with its log lines. */
function gatewayRun(shards: ShardSetting, o: FakeGatewayOptions = {}) {
  const run = {
    // Made at start: the REST fake's URL is known only once it listens.
    gateway: undefined as unknown as FakeDiscordGateway,
    client: undefined as Client | undefined,
    ...captureLog(),
    start: async () => {
      run.gateway = await new FakeDiscordGateway({ rest: api.url, ...o }).start();
      run.client = await startGateway('test-token', run.gateway.url, { catalog, store, log: run.log }, run.log, shards);
      return run.client;
    },
    stop: async () => {
      await run.client?.destroy();
      await run.gateway?.stop();
    },
    logged: (msg: string, shard: number) => run.lines.find((l) => l.msg === msg && l.shard === shard),
  };
  return run;
}

/** INTERACTION_CREATE on one shard's socket, as Discord sends a command used in a guild that shard holds. */
function interactOn(gateway: FakeDiscordGateway, shard: number, payload: { id: string; token: string }) {
  gateway.dispatch(shard, 'INTERACTION_CREATE', payload);
  return api.waitFor(
    (r: RecordedRequest) =>
      r.method === 'POST' && r.path.startsWith(`/interactions/${payload.id}/${payload.token}/callback`),
    30_000,
  );
}

describe('DISCORD_SHARDS=auto, the gateway recommending 2 shards', () => {
  const run = gatewayRun('auto', { shards: 2 });
  beforeAll(() => run.start(), 60_000);
  afterAll(() => run.stop());

  it('opens 2 sockets, identifies shards [0, 2] and [1, 2] and becomes ready', () => {
    const { gateway, client } = run;
    expect(gateway.gatewayBotCalls.length).toBeGreaterThanOrEqual(1);
    expect(gateway.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(gateway.identifies.every((i) => i.token === 'test-token' && i.intents === 0)).toBe(true);
    expect(gateway.open()).toHaveLength(2);
    expect(client!.isReady()).toBe(true);
    expect([...client!.ws.shards.keys()].sort()).toEqual([0, 1]);
    expect(client!.options.shardCount).toBe(2);
    for (const shard of [0, 1]) expect(run.logged('discord shard ready', shard)).toBeDefined();
    expect(run.lines.find((l) => l.msg === 'discord gateway ready')).toMatchObject({ shards: 2, shardCount: 2 });
  });

  it("answers an INTERACTION_CREATE sent on shard 1's socket through the interaction callback", SLOW, async () => {
    // Discord routes a guild's events to shard (guild_id >> 22) % 2: the test guild is shard 1's.
    expect(FakeDiscordGateway.shardOf(GUILD, 2)).toBe(1);
    const call = await interactOn(run.gateway, 1, command('compare', { model: 'llama 3.3 70b', workflow: 'chat' }));
    const body = call.body as { type: number; data: { embeds: { title: string }[] } };
    expect(body.type).toBe(4);
    expect(body.data.embeds[0]!.title).toBe('Llama 3.3 70B · Q4_K_M · 8k context · chat');
  });

  it('a shard whose socket drops resumes its session (op 6), logs it, and answers again', SLOW, async () => {
    const { gateway } = run;
    const before = gateway.connectionOf(1);
    gateway.drop(1);
    await gateway.waitFor(() => run.logged('discord shard resumed', 1), 'shard 1 resumed');
    expect(gateway.resumes).toEqual([{ token: 'test-token', session_id: before.sessionId, seq: before.seq }]);
    expect(run.logged('discord shard disconnected, reconnecting', 1)).toBeDefined();
    // Shard 0 kept its socket; shard 1 has a new one, on the same session.
    expect(gateway.open()).toHaveLength(2);
    expect(gateway.connectionOf(1)).not.toBe(before);
    expect(gateway.connectionOf(1).sessionId).toBe(before.sessionId);
    const call = await interactOn(gateway, 1, command('compare', { model: 'qwen3 32b' }));
    expect((call.body as { type: number }).type).toBe(4);
  });

  it('client.destroy() closes every socket with 1000', SLOW, async () => {
    const open = run.gateway.open();
    expect(open).toHaveLength(2);
    await run.client!.destroy();
    await run.gateway.waitFor(() => run.gateway.open().length === 0, 'all sockets closed');
    expect(open.map((c) => c.closeCode)).toEqual([1000, 1000]);
  });
});

describe('DISCORD_SHARDS=N and unset', () => {
  it('DISCORD_SHARDS=3 runs shards 0-2 of 3 whatever the gateway recommends', SLOW, async () => {
    // Discord grants large bots max_concurrency 16: the three identify at once rather than 5 s apart.
    const run = gatewayRun(3, { shards: 2, maxConcurrency: 16 });
    try {
      const client = await run.start();
      expect(run.gateway.identifies.map((i) => i.shard).sort()).toEqual([
        [0, 3],
        [1, 3],
        [2, 3],
      ]);
      expect(run.gateway.open()).toHaveLength(3);
      expect(client.isReady()).toBe(true);
      expect(client.options.shardCount).toBe(3);
    } finally {
      await run.stop();
    }
    expect(run.gateway.open()).toHaveLength(0);
  });

  it("unset keeps discord.js's default: one socket, shard [0, 1], heartbeats acknowledged", SLOW, async () => {
    const run = gatewayRun(undefined, { shards: 2, heartbeatIntervalMs: 1000 });
    try {
      const client = await run.start();
      expect(run.gateway.identifies.map((i) => i.shard)).toEqual([[0, 1]]);
      expect(run.gateway.open()).toHaveLength(1);
      // The first heartbeat goes out within one interval (jittered); the ack sets the shard's ping.
      await run.gateway.waitFor(() => client.ws.ping >= 0, 'a heartbeat acknowledged');
      expect(run.gateway.connectionOf(0).heartbeats).toBeGreaterThanOrEqual(1);
    } finally {
      await run.stop();
    }
    expect(run.gateway.open()).toHaveLength(0);
  });

  it('too few shards for Discord (4011) stops the start saying to set DISCORD_SHARDS=auto', SLOW, async () => {
    const run = gatewayRun(1, { shards: 2, requireSharding: true });
    try {
      await expect(run.start()).rejects.toThrow(
        'Discord requires more shards than DISCORD_SHARDS=1: set DISCORD_SHARDS=auto or a larger count.',
      );
      expect(run.logged('discord shard disconnected and will not reconnect', 0)).toMatchObject({ code: 4011 });
    } finally {
      await run.stop();
    }
    expect(run.gateway.open()).toHaveLength(0);
  });
});
