/**
 * Charts under Slack answers (issue 18), through signed HTTP requests to Bolt and Bolt's own
 * WebClient against the loopback fake: after the verdict is posted, files.uploadV2 asks
 * files.getUploadURLExternal, POSTs the PNG to the upload URL and completes the upload in the
 * answer's channel or thread. A refused upload leaves the text answer alone and tells the member nothing.
 */
import { describe, expect, it } from 'vitest';
import { QUANT_ACTION } from '../../src/render/slack-ids.js';
import type { FakeUpload } from '../fakes/slack-api.js';
import { pollFor } from '../helpers/wait.js';
import { readPng } from '../render/charts/read-png.js';
import { actionsOf, click, fake, postForm, slash, slackHttpApp } from './http-app.js';

slackHttpApp(() => ({ CHARTS: 'on' }));

const uploadIn = (channel: string, threadTs?: string) =>
  pollUpload((u) => u.completed?.channelId === channel && u.completed.threadTs === threadTs);

const pollUpload = (pred: (u: FakeUpload) => boolean | undefined) =>
  pollFor(
    () => fake.uploads.find((u) => pred(u)),
    () => `no matching upload; got ${JSON.stringify(fake.uploads.map((u) => u.completed ?? u.fileId))}`,
  );

const until = (ok: () => boolean) =>
  pollFor(
    () => ok() || undefined,
    () => 'never happened',
  );

const index = (method: string) => fake.calls.findIndex((c) => c.method === method);

describe('Slack: the chart uploaded under the answer (files.uploadV2)', () => {
  it('/whichgpu: the verdict through response_url, then the PNG in the same channel with its alt text', async () => {
    const msg = await slash('llama 3.3 70b for chat', 'UMEMBER', { channel_id: 'C1' });
    expect(msg.response_type).toBe('in_channel');
    const upload = await uploadIn('C1');
    expect(upload.filename).toBe('whichgpu-llama-3-3-70b.png');
    expect(upload.data!.length).toBe(upload.length);
    const png = readPng(upload.data!);
    expect(png.width).toBeGreaterThanOrEqual(800);
    expect(upload.altText).toMatch(/RTX 5090/);
    expect(upload.altText).toMatch(/M4 Max/);
    expect(upload.completed!.threadTs).toBeUndefined();
    // Three calls, in order, after the answer went out.
    const answered = fake.calls.findIndex((c) => c.method.startsWith('/response/cmd-') && c.body.text === msg.text);
    const asked = index('files.getUploadURLExternal');
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(asked).toBeGreaterThan(answered);
    expect(index(`/upload/v1/${upload.fileId}`)).toBeGreaterThan(asked);
    expect(index('files.completeUploadExternal')).toBeGreaterThan(index(`/upload/v1/${upload.fileId}`));
    // The file parts Bolt's client sends: one form with the bytes.
    const post = fake.calls.find((c) => c.method === `/upload/v1/${upload.fileId}`)!;
    expect(String(post.body.contentType)).toMatch(/^multipart\/form-data/);
  });

  it('a private answer (help) uploads nothing', async () => {
    const before = fake.uploads.length;
    await slash('help', 'UMEMBER', { channel_id: 'C1' });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.uploads.length).toBe(before);
  });

  it("a quant select: the verdict replaced in place, its new chart in the verdict's thread", async () => {
    const msg = await slash('qwen3 14b for coding', 'UMEMBER', { channel_id: 'C1' });
    const select = actionsOf(msg).find((e) => e.action_id === QUANT_ACTION)!;
    const option = select.options!.find((o) => o.value.endsWith('|Q8_0'))!;
    const replaced = await click({ action_id: QUANT_ACTION, selected_option: { value: option.value } });
    expect(replaced.replace_original).toBe(true);
    // blockActions puts the verdict at ts 1700000000.000100.
    const upload = await uploadIn('C1', '1700000000.000100');
    readPng(upload.data!);
  });

  it('the message shortcut: the answer in the thread, its chart under it in the same thread', async () => {
    const payload = {
      type: 'message_action',
      callback_id: 'answer_with_whichgpu',
      trigger_id: 'trig-chart',
      message_ts: '1700000000.000900',
      response_url: fake.responseUrl('shortcut-chart'),
      team: { id: 'T1', domain: 't' },
      user: { id: 'UMEMBER', name: 'umember', team_id: 'T1' },
      channel: { id: 'C1', name: 'general' },
      message: {
        type: 'message',
        user: 'UASKER',
        ts: '1700000000.000900',
        text: 'gemma 3 27b on a 5090 or mac studio?',
      },
      token: 'x',
      action_ts: '1700000002.0',
    };
    expect((await postForm({ payload: JSON.stringify(payload) })).status).toBe(200);
    const upload = await uploadIn('C1', '1700000000.000900');
    const posted = fake.calls.findIndex(
      (c) => c.method === 'chat.postMessage' && c.body.thread_ts === '1700000000.000900',
    );
    expect(posted).toBeGreaterThanOrEqual(0);
    expect(index('files.completeUploadExternal')).toBeGreaterThan(0);
    readPng(upload.data!);
  });

  it('not_in_channel: the text answer stands, the member is told nothing, and the channel is left alone after', async () => {
    fake.failNext('files.getUploadURLExternal', 'not_in_channel');
    const asks = () => fake.calls.filter((c) => c.method === 'files.getUploadURLExternal').length;
    const before = asks();
    const msg = await slash('phi-4', 'UMEMBER', { channel_id: 'C7' });
    expect(msg.response_type).toBe('in_channel');
    await until(() => asks() > before);
    await new Promise((r) => setTimeout(r, 300));
    // One answer through response_url for that command, no apology after it.
    const responses = fake.calls.filter((c) => c.method.startsWith('/response/') && c.body.text === msg.text);
    expect(responses).toHaveLength(1);
    expect(
      fake.calls.some((c) => c.method.startsWith('/response/') && /went wrong|upload/i.test(String(c.body.text))),
    ).toBe(false);
    // Asked again in C7, no upload is tried; another channel still gets its chart.
    await slash('mistral small 3', 'UMEMBER', { channel_id: 'C7' });
    await slash('mistral small 3', 'UMEMBER', { channel_id: 'C8' });
    await uploadIn('C8');
    expect(asks()).toBe(before + 2);
  });

  it('missing_scope at completion: the answer stands, and that workspace uploads no more charts for a while', async () => {
    fake.failNext('files.completeUploadExternal', 'missing_scope');
    const completions = () => fake.calls.filter((c) => c.method === 'files.completeUploadExternal').length;
    const before = completions();
    const msg = await slash('llama 3.1 8b', 'UMEMBER', { channel_id: 'C9', team_id: 'T9' });
    expect(msg.response_type).toBe('in_channel');
    await until(() => completions() > before);
    const asked = fake.calls.filter((c) => c.method === 'files.getUploadURLExternal').length;
    await slash('llama 3.1 8b', 'UMEMBER', { channel_id: 'C10', team_id: 'T9' });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => c.method === 'files.getUploadURLExternal').length).toBe(asked);
  });
});
