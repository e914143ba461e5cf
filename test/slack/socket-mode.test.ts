/**
 * Slack over Socket Mode, for real: Bolt's SocketModeReceiver calls apps.connections.open on the
 * loopback fake, connects to the ws:// URL it returns, and answers the envelopes the fake
 * delivers. No HTTP server of ours is started in this mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { FakeSlackApi } from '../fakes/slack-api.js';

const fake = new FakeSlackApi();
let app: RunningApp;
let store: Store;
let dir: string;
let seq = 0;

beforeAll(async () => {
  await fake.start();
  fake.admins.add('UADMIN');
  // Slack is briefly down as the app connects: the Socket Mode client must keep trying.
  fake.failHttpNext('apps.connections.open', 2);
  dir = mkdtempSync(join(tmpdir(), 'whichgpu-slack-socket-'));
  store = Store.open(join(dir, 'db.sqlite'));
  const config = parseConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.url, PORT: '0', RATE_LIMIT_USER_BURST: '1000', LOG_LEVEL: 'silent' });
  app = await startApp(config, { catalog, store, log: createLogger('silent') });
}, 20_000);
afterAll(async () => {
  await app?.stop();
  store.close();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function slashPayload(text: string, user = 'UMEMBER') {
  const id = `sock-${++seq}`;
  return {
    id,
    payload: { token: 'x', team_id: 'T1', team_domain: 't', channel_id: 'C1', channel_name: 'general', user_id: user, user_name: user.toLowerCase(), command: '/whichgpu', text, response_url: fake.responseUrl(id), trigger_id: 't', api_app_id: 'A1' },
  };
}

type Answer = { response_type?: string; replace_original?: boolean; text: string; blocks: { type: string; elements?: { action_id: string; value?: string }[] }[] };

describe('/whichgpu over Socket Mode (Bolt SocketModeReceiver against a loopback Slack)', () => {
  it('connects with the app-level token through SLACK_API_URL, through two failed attempts, and opens no HTTP port', () => {
    expect(app.slack?.socketMode).toBe(true);
    expect(app.port).toBeUndefined();
    expect(fake.appTokens).toEqual(['Bearer xapp-test', 'Bearer xapp-test', 'Bearer xapp-test']);
    expect(fake.connections).toHaveLength(1);
  });

  it('acks a slash command envelope, then posts the verdict to its response_url', async () => {
    const { id, payload } = slashPayload('llama 3.3 70b q8 coding');
    const ack = await fake.deliver('slash_commands', payload);
    expect(ack.envelope_id).toMatch(/^env-/);
    const answer = (await fake.waitFor((c) => c.method === `/response/${id}`)).body as Answer;
    expect(answer.response_type).toBe('in_channel');
    expect(answer.text).toMatch(/Llama 3\.3 70B · Q8_0/);
    expect(answer.blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id)).toContain('whichgpu_pin');
  });

  it('bad input gets an ephemeral answer that says what to type', async () => {
    const { id, payload } = slashPayload('qwen2.5-codr-32b');
    await fake.deliver('slash_commands', payload);
    const answer = (await fake.waitFor((c) => c.method === `/response/${id}`)).body as Answer;
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/Did you mean Qwen2\.5-Coder 32B\?/);
  });

  it('acks a button click envelope and answers it (Sources, ephemeral)', async () => {
    const { id: cmd, payload } = slashPayload('phi-4');
    await fake.deliver('slash_commands', payload);
    const verdict = (await fake.waitFor((c) => c.method === `/response/${cmd}`)).body as Answer;
    const sources = verdict.blocks.find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === 'whichgpu_sources')!;
    const id = `sock-click-${++seq}`;
    const ack = await fake.deliver('interactive', {
      type: 'block_actions',
      team: { id: 'T1', domain: 't' },
      user: { id: 'UMEMBER', name: 'umember', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'x',
      trigger_id: 't',
      channel: { id: 'C1', name: 'general' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1', is_ephemeral: false },
      message: { type: 'message', ts: '1700000000.000100', text: 'verdict' },
      response_url: fake.responseUrl(id),
      actions: [{ block_id: 'b', action_ts: '1700000001.0', type: 'button', action_id: 'whichgpu_sources', value: sources.value }],
    });
    expect(ack.envelope_id).toMatch(/^env-/);
    const answer = (await fake.waitFor((c) => c.method === `/response/${id}`)).body as Answer;
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Sources');
  });

  it('stop() closes the socket', async () => {
    const ws = fake.connections.at(-1)!;
    const closed = new Promise((r) => ws.once('close', r));
    await app.stop();
    await closed;
    expect(ws.readyState).toBe(ws.CLOSED);
  });
});
