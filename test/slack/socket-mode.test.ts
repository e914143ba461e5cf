/**
 * Slack over Socket Mode, for real: Bolt's SocketModeReceiver calls apps.connections.open on the
 * loopback fake, connects to the ws:// URL it returns, and answers the envelopes the fake
 * delivers. No HTTP server of ours is started in this mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActions, slashCommand } from './helpers.js';

const fake = new FakeSlackApi();
let t: TestApp;
let seq = 0;

beforeAll(async () => {
  await fake.start();
  // Slack is briefly down as the app connects: the Socket Mode client must keep trying.
  fake.failHttpNext('apps.connections.open', 2);
  t = await startTestApp({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.url });
}, 20_000);
afterAll(async () => {
  await t?.close();
  await fake.stop();
});

function slashPayload(text: string, user = 'UMEMBER') {
  const id = `sock-${++seq}`;
  return { id, payload: slashCommand(text, user, fake.responseUrl(id)) };
}

type Answer = {
  response_type?: string;
  replace_original?: boolean;
  text: string;
  blocks: { type: string; elements?: { action_id: string; value?: string }[] }[];
};

describe('/whichgpu over Socket Mode (Bolt SocketModeReceiver against a loopback Slack)', () => {
  it('connects with the app-level token through SLACK_API_URL, through two failed attempts, and opens no HTTP port', () => {
    expect(t.app.slack?.socketMode).toBe(true);
    expect(t.app.port).toBeUndefined();
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
    expect(answer.blocks.find((b) => b.type === 'actions')!.elements!.map((e) => e.action_id)).toContain(
      'whichgpu_pin',
    );
  });

  it('bad input gets an ephemeral answer that says what to type', async () => {
    const { id, payload } = slashPayload('can I run GLM-5.1 on my 3090');
    await fake.deliver('slash_commands', payload);
    const answer = (await fake.waitFor((c) => c.method === `/response/${id}`)).body as Answer;
    expect(answer.response_type).toBe('ephemeral');
    // A model the catalog cannot size yet: the answer names it and says what to add.
    expect(answer.text).toMatch(/GLM-5\.1/);
    expect(answer.text.split('\n').length).toBeGreaterThan(1);
  });

  it('acks a button click envelope and answers it (Sources, ephemeral)', async () => {
    const { id: cmd, payload } = slashPayload('phi-4');
    await fake.deliver('slash_commands', payload);
    const verdict = (await fake.waitFor((c) => c.method === `/response/${cmd}`)).body as Answer;
    const sources = verdict.blocks
      .find((b) => b.type === 'actions')!
      .elements!.find((e) => e.action_id === 'whichgpu_sources')!;
    const id = `sock-click-${++seq}`;
    const ack = await fake.deliver(
      'interactive',
      blockActions(
        { type: 'button', action_id: 'whichgpu_sources', value: sources.value },
        'UMEMBER',
        fake.responseUrl(id),
      ),
    );
    expect(ack.envelope_id).toMatch(/^env-/);
    const answer = (await fake.waitFor((c) => c.method === `/response/${id}`)).body as Answer;
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe('Sources');
  });

  it('stop() closes the socket', async () => {
    const ws = fake.connections.at(-1)!;
    const closed = new Promise((r) => ws.once('close', r));
    await t.app.stop();
    await closed;
    expect(ws.readyState).toBe(ws.CLOSED);
  });
});
