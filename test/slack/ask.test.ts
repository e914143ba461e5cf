/**
 * The message shortcut "Answer with whichgpu" and an ask-back's buttons, through signed HTTP
 * requests to Bolt's receiver on 127.0.0.1, with the loopback Slack fake recording chat.postMessage.
 */
import { describe, expect, it } from 'vitest';
import { askActionId } from '../../src/render/slack-ids.js';
import { click, fake, postForm, slash, slackHttpApp } from './http-app.js';

slackHttpApp();

/** A question whose reading is stable while the core's reading improves. */
const STABLE = 'llama 3.3 70b on a 5090 or mac studio';
let seq = 0;

/** A message_action payload: UMOD used the shortcut on `message` in channel C1. */
function shortcut(message: Record<string, unknown>, callbackId = 'answer_with_whichgpu') {
  const id = `shortcut-${++seq}`;
  return {
    id,
    payload: {
      type: 'message_action',
      callback_id: callbackId,
      trigger_id: `trig-${id}`,
      message_ts: message.ts,
      response_url: fake.responseUrl(id),
      team: { id: 'T1', domain: 't' },
      user: { id: 'UMOD', name: 'umod', team_id: 'T1' },
      channel: { id: 'C1', name: 'general' },
      message: { type: 'message', user: 'UASKER', ...message },
      token: 'x',
      action_ts: '1700000002.0',
    },
  };
}

const posts = () => fake.calls.filter((c) => c.method === 'chat.postMessage');

describe('Slack message shortcut "Answer with whichgpu" (signed HTTP)', () => {
  it('acks, then answers the message in a new thread under it (thread_ts = its ts), with a text fallback and blocks', async () => {
    const before = posts().length;
    const s = shortcut({ ts: '1700000000.000200', text: `${STABLE}?` });
    const r = await postForm({ payload: JSON.stringify(s.payload) });
    expect(r.status).toBe(200);
    const call = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1700000000.000200');
    expect(posts().length).toBe(before + 1);
    expect(call.body.channel).toBe('C1');
    expect(String(call.body.text)).toMatch(/Llama 3\.3 70B/);
    const blocks = JSON.parse(String(call.body.blocks)) as { type: string }[];
    expect(blocks[0]!.type).toBe('header');
    expect(blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it("answers a message inside a thread in that thread (thread_ts = the thread's)", async () => {
    const s = shortcut({ ts: '1700000000.000400', thread_ts: '1700000000.000300', text: STABLE });
    expect((await postForm({ payload: JSON.stringify(s.payload) })).status).toBe(200);
    const call = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1700000000.000300');
    expect(call.body.channel).toBe('C1');
  });

  it('a message without text gets a private answer through response_url, and nothing is posted', async () => {
    const before = posts().length;
    const s = shortcut({ ts: '1700000000.000500', text: '' });
    expect((await postForm({ payload: JSON.stringify(s.payload) })).status).toBe(200);
    const call = await fake.waitFor((c) => c.method === `/response/${s.id}`);
    expect(call.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(call.body.text)).toMatch(/no text for me to read/);
    expect(posts().length).toBe(before);
  });

  it('a post Slack refuses (not_in_channel) is explained privately', async () => {
    fake.failNext('chat.postMessage', 'not_in_channel');
    const s = shortcut({ ts: '1700000000.000600', text: STABLE });
    expect((await postForm({ payload: JSON.stringify(s.payload) })).status).toBe(200);
    const call = await fake.waitFor((c) => c.method === `/response/${s.id}`);
    expect(call.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(call.body.text)).toMatch(/invite me/i);
  });

  it('another shortcut is acknowledged and answers nothing', async () => {
    const before = fake.calls.length;
    const s = shortcut({ ts: '1700000000.000700', text: STABLE }, 'someone_elses_shortcut');
    expect((await postForm({ payload: JSON.stringify(s.payload) })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.length).toBe(before);
  });
});

describe('Slack: /whichgpu text through ask, and an ask-back button', () => {
  it('/whichgpu free text is read by ask and answered in the channel', async () => {
    const msg = await slash(STABLE);
    expect(msg.response_type).toBe('in_channel');
    expect(msg.text).toMatch(/Llama 3\.3 70B/);
  });

  it("a picked choice answers the button's question as a new message in the channel", async () => {
    const msg = await click({
      action_id: askActionId(1),
      type: 'button',
      value: STABLE,
      text: { type: 'plain_text', text: 'x' },
    });
    expect(msg).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(msg.text).toMatch(/Llama 3\.3 70B/);
  });

  it('a picked choice on an ask-back inside a thread is answered in that thread', async () => {
    const before = posts().length;
    await postForm({
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1', domain: 't' },
        user: { id: 'UMEMBER', name: 'umember', team_id: 'T1' },
        api_app_id: 'A1',
        token: 'x',
        trigger_id: 't',
        channel: { id: 'C1', name: 'general' },
        container: { type: 'message', message_ts: '1700000000.000900', channel_id: 'C1', is_ephemeral: false },
        message: { type: 'message', ts: '1700000000.000900', thread_ts: '1700000000.000800', text: 'ask-back' },
        response_url: fake.responseUrl('thread-pick'),
        actions: [{ block_id: 'b', action_ts: '1', action_id: askActionId(0), type: 'button', value: STABLE }],
      }),
    });
    const call = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1700000000.000800');
    expect(posts().length).toBe(before + 1);
    expect(String(call.body.text)).toMatch(/Llama 3\.3 70B/);
  });
});
