/**
 * /report's form over the gateway transport (issue 18): the real discord.js Client, fed raw
 * INTERACTION_CREATE payloads, answering through the loopback Discord API fake. The form opens
 * (callback type 9) and its submission is answered like the HTTP endpoint's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachGateway, createGatewayClient } from '../../src/discord/gateway.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { command, GUILD, serveGuild } from './helpers.js';

const fake = new FakeDiscordApi();
let client: Client;
let store: SqliteStore;
let dir: string;

beforeAll(async () => {
  await fake.start();
  serveGuild(fake);
  dir = mkdtempSync(join(tmpdir(), 'whichgpu-gateway-reports-'));
  store = SqliteStore.open(join(dir, 'db.sqlite'));
  client = createGatewayClient(fake.url);
  client.rest.setToken('test-token');
  attachGateway(client, { catalog, store, log: createLogger('silent') }, 'test-token');
});
afterAll(async () => {
  await client.destroy();
  store.close();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function deliver(payload: { id: string; token: string }) {
  (
    client as unknown as { actions: { InteractionCreate: { handle(d: unknown): void } } }
  ).actions.InteractionCreate.handle(payload);
  return fake.waitFor(
    (r) => r.method === 'POST' && r.path.startsWith(`/interactions/${payload.id}/${payload.token}/callback`),
  );
}

describe('/report over the gateway', () => {
  it('opens the form without a paste, and stores what the form sends, its lines kept', async () => {
    const opened = await deliver(command('report', { model: 'llama 3.1 8b' }));
    expect(opened.body).toMatchObject({ type: 9, data: { custom_id: 'report_form' } });
    const submit = {
      ...command('report', {}, { user: '737373737373737373' }),
      type: 5,
      data: {
        custom_id: 'report_form',
        components: [
          {
            type: 18,
            id: 1,
            component: {
              type: 4,
              id: 2,
              custom_id: 'paste',
              value: 'Prompt evaluation: 9000 tok/s\nToken generation: 190 tok/s',
            },
          },
          { type: 18, id: 3, component: { type: 4, id: 4, custom_id: 'machine', value: 'rtx-5090' } },
          { type: 18, id: 5, component: { type: 4, id: 6, custom_id: 'model', value: 'llama 3.1 8b' } },
          { type: 18, id: 7, component: { type: 4, id: 8, custom_id: 'quant', value: 'Q4_K_M' } },
        ],
      },
    };
    const saved = await deliver(submit);
    const body = saved.body as { type: number; data: { content: string; flags?: number } };
    expect(body.type).toBe(4);
    expect(body.data.flags ?? 0).toBe(0);
    const id = Number(/^Report #(\d+) saved/.exec(body.data.content)?.[1]);
    expect(await store.getReport('discord', GUILD, id)).toMatchObject({
      status: 'pending',
      reportedBy: '737373737373737373',
      device: 'rtx-5090',
      model: 'llama-3.1-8b',
      decodeTokensPerSec: 190,
      prefillTokensPerSec: 9000,
    });
  });
});
