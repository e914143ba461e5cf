import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActions, slackSignedHeaders, slashCommand } from './helpers.js';

const SECRET = 'test-signing-secret';
const fake = new FakeSlackApi();
let t: TestApp;
let seq = 0;

beforeAll(async () => {
  await fake.start();
  fake.admins.add('UADMIN');
  fake.groups.SMODS = ['UGROUPMOD'];
  t = await startTestApp({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url, SLACK_MODERATORS: 'ULISTED' });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const sign = (body: string, ts?: number) => slackSignedHeaders(SECRET, body, ts);

async function postForm(form: Record<string, string>, headers?: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  const res = await fetch(`http://127.0.0.1:${t.app.port}/slack/events`, { method: 'POST', body, headers: headers ?? sign(body) });
  return { status: res.status, text: await res.text() };
}

async function slash(text: string, user = 'UMEMBER') {
  const id = `cmd-${++seq}`;
  const r = await postForm(slashCommand(text, user, fake.responseUrl(id)));
  expect(r.status).toBe(200);
  const call = await fake.waitFor((c) => c.method === `/response/${id}`);
  return call.body as { response_type?: string; replace_original?: boolean; text: string; blocks: { type: string; elements?: { action_id: string; value?: string; options?: { value: string }[] }[] }[] };
}

async function click(action: Record<string, unknown>, user = 'UMEMBER') {
  const id = `act-${++seq}`;
  const r = await postForm({ payload: JSON.stringify(blockActions(action, user, fake.responseUrl(id))) });
  expect(r.status).toBe(200);
  return (await fake.waitFor((c) => c.method === `/response/${id}`)).body as { response_type?: string; replace_original?: boolean; text: string; blocks: unknown[] };
}

function actionsOf(msg: Awaited<ReturnType<typeof slash>>) {
  return msg.blocks.find((b) => b.type === 'actions')!.elements!;
}

describe('/whichgpu over HTTP (Bolt HTTPReceiver on the shared server)', () => {
  it('answers free text with a verdict posted in the channel, with a text fallback and actions', async () => {
    const msg = await slash('llama 3.3 70b q8 coding 8h/day $0.30/kWh');
    expect(msg.response_type).toBe('in_channel');
    expect(msg.text).toMatch(/Llama 3\.3 70B · Q8_0/);
    expect(msg.blocks[0]!.type).toBe('header');
    expect(actionsOf(msg).map((e) => e.action_id)).toEqual(['whichgpu_quant', 'whichgpu_context', 'whichgpu_pin', 'whichgpu_sources']);
  });

  it('help is ephemeral usage with examples', async () => {
    const msg = await slash('help');
    expect(msg.response_type).toBe('ephemeral');
    expect(msg.text).toMatch(/llama 3\.3 70b q8 for coding/);
  });

  it('bad input gets an ephemeral answer that says what to type', async () => {
    const msg = await slash('qwen2.5-codr-32b');
    expect(msg.response_type).toBe('ephemeral');
    expect(msg.text).toMatch(/Did you mean Qwen2\.5-Coder 32B\?/);
    const range = await slash('llama 3.1 8b 30 hours a day');
    expect(range.text).toMatch(/between 0\.1 and 24/);
  });

  it('refuses stale and forged signatures with 401 and does not run the command', async () => {
    const body = new URLSearchParams({ command: '/whichgpu', text: 'llama 3.1 8b', team_id: 'T1', channel_id: 'C1', user_id: 'U', response_url: fake.responseUrl('never') }).toString();
    const stale = await fetch(`http://127.0.0.1:${t.app.port}/slack/events`, { method: 'POST', body, headers: sign(body, Math.floor(Date.now() / 1000) - 600) });
    expect(stale.status).toBe(401);
    const forged = await fetch(`http://127.0.0.1:${t.app.port}/slack/events`, { method: 'POST', body, headers: { ...sign(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` } });
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.some((c) => c.method === '/response/never')).toBe(false);
  });

  it('the quantization select replaces the message in place', async () => {
    const msg = await slash('gemma 3 27b');
    const select = actionsOf(msg)[0]!;
    const q8 = select.options!.find((o) => o.value.endsWith('|Q8_0'))!;
    const updated = await click({ type: 'static_select', action_id: 'whichgpu_quant', selected_option: { text: { type: 'plain_text', text: 'Q8_0' }, value: q8.value } });
    expect(updated.replace_original).toBe(true);
    expect(updated.text).toMatch(/Gemma 3 27B · Q8_0/);
  });

  it('Sources answers ephemerally', async () => {
    const msg = await slash('phi-4');
    const src = actionsOf(msg)[3]!;
    const r = await click({ type: 'button', action_id: 'whichgpu_sources', value: src.value });
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toBe('Sources');
  });
});

describe('pinning on Slack', () => {
  async function pinValue() {
    const msg = await slash('qwen3 32b');
    return actionsOf(msg)[2]!.value!;
  }
  const pinsAdds = () => fake.calls.filter((c) => c.method === 'pins.add').length;

  it('a non-admin is refused ephemerally and pins.add is never called', async () => {
    const value = await pinValue();
    const before = pinsAdds();
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UMEMBER');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(/Only workspace admins/);
    expect(pinsAdds()).toBe(before);
    expect(fake.calls.some((c) => c.method === 'users.info' && c.body.user === 'UMEMBER')).toBe(true);
  });

  it('an admin pins with pins.add on the message, and the verdict is stored', async () => {
    const value = await pinValue();
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.text).toMatch(/Pinned as #\d+/);
    const add = await fake.waitFor((c) => c.method === 'pins.add');
    expect(add.body).toMatchObject({ channel: 'C1', timestamp: '1700000000.000100' });
    expect(t.store.list('slack', 'T1').items[0]).toMatchObject({ channelId: 'C1', messageId: '1700000000.000100', pinnedBy: 'UADMIN' });
    const pins = await slash('pins');
    expect(pins.text).toMatch(/Pinned verdicts \(1\)/);
  });

  it('SLACK_MODERATORS and the configured user group count as moderators', async () => {
    expect((await click({ type: 'button', action_id: 'whichgpu_pin', value: await pinValue() }, 'ULISTED')).text).toMatch(/Pinned|Already pinned/);
    await slash('settings set moderator_role=SMODS', 'UADMIN');
    expect((await click({ type: 'button', action_id: 'whichgpu_pin', value: await pinValue() }, 'UGROUPMOD')).text).toMatch(/Pinned|Already pinned/);
  });

  it.each([
    ['not_in_channel', /Invite me/],
    ['not_pinnable', /cannot be pinned/],
    ['permission_denied', /pins:write/],
  ])('pins.add %s gets a clear answer', async (error, message) => {
    const value = await pinValue();
    fake.failNext('pins.add', error);
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(message);
  });

  it('already_pinned still records the verdict', async () => {
    const value = await pinValue();
    fake.failNext('pins.add', 'already_pinned');
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.text).toMatch(/Pinned as #|Already pinned/);
  });
});
