/**
 * /whichgpu and the "Answer with whichgpu" shortcut pasting a model only the Hub knows, through signed
 * HTTP to Bolt's receiver: acked within Slack's 3 s, then answered with the model learned from a
 * loopback fake of the Hugging Face Hub, or, when the Hub stalls, with why the lookup gave up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHfHub } from '../fakes/hf-hub.js';
import { MYSTERY_34B_HEADER } from '../fakes/gguf.js';
import { fake, postForm, slackHttpApp } from './http-app.js';
import { slashCommand } from './helpers.js';

const hub = new FakeHfHub();

const header = MYSTERY_34B_HEADER;

// Registered before slackHttpApp's hook, so the Hub's URL is known when the app starts.
beforeAll(async () => {
  await hub.start();
  for (const id of ['someorg/Mystery-34B-GGUF', 'otherorg/Enigma-34B-GGUF'])
    hub.add({
      id,
      gguf: { total: 34_400_000_000, architecture: 'llama', context_length: 32768 },
      files: [{ path: `${id.split('/')[1]!.replace('-GGUF', '')}-Q4_K_M.gguf`, size: 20_660_000_000, head: header }],
    });
  // A Hub that never answers: the lookup gives up at its deadline and says so.
  hub.add({ id: 'deadorg/Stalled-70B-GGUF', files: [{ path: 'Stalled-70B-Q4_K_M.gguf', size: 42e9, head: header }] });
  hub.faults.push({ path: /deadorg/, fault: 'stall' });
});
afterAll(() => hub.stop());
slackHttpApp(() => ({ MODEL_LOOKUP: 'on', HF_ENDPOINT: hub.url }));

let seq = 0;

/** Posts a signed /whichgpu; resolves with the ack's time and status, and the answer sent to response_url. */
async function slashTimed(text: string) {
  const id = `lookup-${++seq}`;
  const started = performance.now();
  const ack = await postForm(slashCommand(text, 'UMEMBER', fake.responseUrl(id)));
  const ackMs = performance.now() - started;
  const answer = await fake.waitFor((c) => c.method === `/response/${id}`, 8000);
  return { ack, ackMs, body: answer.body as { response_type?: string; text: string; blocks: unknown[] } };
}

describe('Slack /whichgpu pasting a model only the Hub knows (signed HTTP)', () => {
  it('acks within 3 s, then answers through response_url with the learned model and where it came from', async () => {
    const { ack, ackMs, body } = await slashTimed('can I run someorg/Mystery-34B-GGUF on a 4090?');
    expect(ack.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect(body.response_type).toBe('in_channel');
    expect(body.text).toMatch(/Mystery-34B-GGUF/);
    const all = JSON.stringify(body);
    expect(all).toMatch(/Mystery-34B-GGUF · Q4_K_M/);
    expect(all).toMatch(/comes from the Hugging Face repo someorg\/Mystery-34B-GGUF/);
    // The same figure as on Discord: the repo's real 20.66 GB file + 2.01 GB of KV cache + ~1 GB runtime.
    expect(all).toMatch(/23\.7 of 25\.8 GB/);
    // Asked again, the store's cache answers without the Hub.
    const before = hub.requests.length;
    await slashTimed('someorg/Mystery-34B-GGUF on a 3090?');
    expect(hub.requests.length).toBe(before);
  });

  it('a Hub that stalls still gets an answer, sized from the name and saying the lookup gave up', async () => {
    const { ack, ackMs, body } = await slashTimed('can I run deadorg/Stalled-70B-GGUF on a 5090?');
    expect(ack.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect(JSON.stringify(body)).toMatch(/looked up deadorg\/Stalled-70B-GGUF: .*sized from its name instead/);
  });
});

describe('Slack "Answer with whichgpu" on a message pasting a model only the Hub knows (signed HTTP)', () => {
  it('acks within 3 s, then answers in a thread under the message with the learned model', async () => {
    const ts = '1700000100.000100';
    const started = performance.now();
    const r = await postForm({
      payload: JSON.stringify({
        type: 'message_action',
        callback_id: 'answer_with_whichgpu',
        trigger_id: 'trig-lookup',
        message_ts: ts,
        response_url: fake.responseUrl('shortcut-lookup'),
        team: { id: 'T1', domain: 't' },
        user: { id: 'UMOD', name: 'umod', team_id: 'T1' },
        channel: { id: 'C1', name: 'general' },
        message: { type: 'message', user: 'UASKER', ts, text: 'will otherorg/Enigma-34B-GGUF fit on a 4090?' },
        token: 'x',
        action_ts: '1700000101.0',
      }),
    });
    expect(r.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    const call = await fake.waitFor((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts, 8000);
    expect(call.body.channel).toBe('C1');
    const all = JSON.stringify(call.body);
    expect(all).toMatch(/Enigma-34B-GGUF · Q4_K_M/);
    expect(all).toMatch(/comes from the Hugging Face repo otherorg\/Enigma-34B-GGUF/);
  });
});
