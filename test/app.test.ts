import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { SqliteStore } from '../src/store/store.js';
import { catalog } from './helpers/catalog.js';
import { FakeDiscordApi } from './fakes/discord-api.js';
import { FakeSlackApi } from './fakes/slack-api.js';
import { ping, signBody, testKeys } from './discord/helpers.js';
import { bothPlatformsEnv } from './helpers/app.js';

describe('one process, one port', () => {
  it('serves Discord and Slack side by side, and /healthz', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whichgpu-app-'));
    const store = SqliteStore.open(join(dir, 'db.sqlite'));
    const discordApi = await new FakeDiscordApi().start();
    const slackApi = await new FakeSlackApi().start();
    const keys = testKeys();
    const app = await startApp(
      parseConfig({
        ...bothPlatformsEnv({
          discordApiUrl: discordApi.url,
          slackApiUrl: slackApi.url,
          publicKeyHex: keys.publicKeyHex,
        }),
        PORT: '0',
        RATE_LIMIT_USER_BURST: '1000',
        RATE_LIMIT_SERVER_BURST: '100000',
      }),
      { catalog, store, log: createLogger('silent') },
    );
    try {
      const base = `http://127.0.0.1:${app.port}`;
      const pingBody = JSON.stringify(ping());
      const d = await fetch(`${base}/discord/interactions`, {
        method: 'POST',
        body: pingBody,
        headers: signBody(keys.privateKey, pingBody),
      });
      expect(await d.json()).toEqual({ type: 1 });
      const form = new URLSearchParams({
        command: '/whichgpu',
        text: 'help',
        team_id: 'T',
        channel_id: 'C',
        user_id: 'U',
        response_url: slackApi.responseUrl('x'),
      }).toString();
      const ts = Math.floor(Date.now() / 1000);
      const s = await fetch(`${base}/slack/events`, {
        method: 'POST',
        body: form,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(ts),
          'x-slack-signature': `v0=${createHmac('sha256', 'sec').update(`v0:${ts}:${form}`).digest('hex')}`,
        },
      });
      expect(s.status).toBe(200);
      await slackApi.waitFor((c) => c.method === '/response/x');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`, { method: 'POST' })).status).toBe(404);
    } finally {
      await app.stop();
      store.close();
      await discordApi.stop();
      await slackApi.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
