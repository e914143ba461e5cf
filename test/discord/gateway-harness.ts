/**
 * The real discord.js Client for a test file: its REST base on the loopback Discord API fake, a
 * fresh SQLite store, and `deliver`, which feeds a raw INTERACTION_CREATE payload to discord.js's own
 * handling and resolves with the interaction callback the fake received. No gateway connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'discord.js';
import { afterAll, beforeAll } from 'vitest';
import { attachGateway, createGatewayClient } from '../../src/discord/gateway.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { serveGuild } from './helpers.js';

type GatewayDeps = Parameters<typeof attachGateway>[1];

/** Registers beforeAll/afterAll; `extra` adds to the deps the client is attached with (e.g. charts). */
export function gatewayPerFile(prefix: string, extra: (log: GatewayDeps['log']) => Partial<GatewayDeps> = () => ({})) {
  const fake = new FakeDiscordApi();
  let client: Client;
  let store: SqliteStore;
  let dir: string;
  beforeAll(async () => {
    await fake.start();
    serveGuild(fake);
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = SqliteStore.open(join(dir, 'db.sqlite'));
    client = createGatewayClient(fake.url);
    client.rest.setToken('test-token');
    const log = createLogger('silent');
    attachGateway(client, { catalog, store, log, ...extra(log) }, 'test-token');
  });
  afterAll(async () => {
    await client.destroy();
    store.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    fake,
    get store() {
      return store;
    },
    get client() {
      return client;
    },
    deliver(payload: { id: string; token: string }) {
      (
        client as unknown as { actions: { InteractionCreate: { handle(d: unknown): void } } }
      ).actions.InteractionCreate.handle(payload);
      return fake.waitFor(
        (r) => r.method === 'POST' && r.path.startsWith(`/interactions/${payload.id}/${payload.token}/callback`),
      );
    },
  };
}
