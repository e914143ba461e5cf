/**
 * /ask with a model only the Hub knows, through the signed HTTP endpoint: learned from a loopback
 * fake of the Hugging Face Hub, answered at once when the lookup is quick, deferred and edited when
 * it is slow, and never past Discord's 3 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { FakeHfHub } from '../fakes/hf-hub.js';
import { MYSTERY_34B_HEADER } from '../fakes/gguf.js';
import { APP, command, component, serveGuild, signBody, testKeys } from './helpers.js';

const keys = testKeys();
const discord = new FakeDiscordApi();
const hub = new FakeHfHub();
let t: TestApp;

const header = MYSTERY_34B_HEADER;

beforeAll(async () => {
  await discord.start();
  serveGuild(discord);
  await hub.start();
  hub.add({
    id: 'someorg/Mystery-34B-GGUF',
    gguf: { total: 34_400_000_000, architecture: 'llama', context_length: 32768 },
    files: [{ path: 'Mystery-34B-Q4_K_M.gguf', size: 20_660_000_000, head: header }],
  });
  // A slow Hub: model info and the file tree take 1.1 s each, inside the lookup's 1.5 s and 2.5 s deadlines.
  hub.add({
    id: 'sloworg/Slow-34B-GGUF',
    gguf: { total: 34_400_000_000, architecture: 'llama', context_length: 32768 },
    files: [{ path: 'Slow-34B-Q4_K_M.gguf', size: 20_660_000_000, head: header }],
  });
  hub.delays.push({ path: /^\/(api\/models\/)?sloworg\//, ms: 1100 });
  // A Hub that never answers: the lookup gives up at its deadline and says so.
  hub.add({ id: 'deadorg/Stalled-70B-GGUF', files: [{ path: 'Stalled-70B-Q4_K_M.gguf', size: 42e9, head: header }] });
  hub.faults.push({ path: /deadorg/, fault: 'stall' });
  t = await startTestApp({
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: keys.publicKeyHex,
    DISCORD_TOKEN: 'test-token',
    DISCORD_API_URL: discord.url,
    MODEL_LOOKUP: 'on',
    HF_ENDPOINT: hub.url,
  });
});
afterAll(async () => {
  await t.close();
  await hub.stop();
  await discord.stop();
});

const post = async (payload: unknown) => {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${t.app.port}/discord/interactions`, {
    method: 'POST',
    body,
    headers: signBody(keys.privateKey, body),
  });
  return {
    json: (await res.json()) as { type: number; data?: { embeds?: { title: string; description?: string }[] } },
    ms: performance.now() - started,
  };
};

describe('/ask about a model only the Hub knows', () => {
  it('learns it from the Hub and answers with its own shape and file size, in the initial response', async () => {
    const { json, ms } = await post(command('ask', { question: 'can I run someorg/Mystery-34B-GGUF on a 4090?' }));
    expect(ms).toBeLessThan(3000);
    expect(json.type).toBe(4);
    const embed = json.data!.embeds![0]!;
    expect(embed.title).toMatch(/^Mystery-34B-GGUF · Q4_K_M/);
    expect(JSON.stringify(json.data)).toMatch(/comes from the Hugging Face repo someorg\/Mystery-34B-GGUF/);
    // By hand: the repo's real Q4_K_M file (20.66 GB) + 8k tokens of f16 KV cache for its shape
    // (60 layers x 2 x 8 heads x 128 x 2 bytes x 8,192 = 2.01 GB) + ~1.0 GB of CUDA runtime = 23.7 GB.
    expect(embed.description).toMatch(/fits on RTX 4090 \(23\.7 of 25\.8 GB\)/);
    // Picking another quant keeps the learned model (its shape and basis), not a guess from the name.
    const components = (json.data as { components: { components: { custom_id: string }[] }[] }).components;
    const quantSelect = components.flatMap((row) => row.components).find((c) => c.custom_id.startsWith('quant:'))!;
    const picked = await post(component(quantSelect.custom_id, ['Q8_0']));
    const pickedEmbed = (picked.json.data as { embeds: { title: string }[] }).embeds[0]!;
    expect(pickedEmbed.title).toMatch(/^Mystery-34B-GGUF · Q8_0/);
    expect(JSON.stringify(picked.json.data)).toMatch(/comes from the Hugging Face repo someorg\/Mystery-34B-GGUF/);
    // A second question about it is answered from the store's cache, without asking the Hub again.
    const before = hub.requests.length;
    await post(command('ask', { question: 'someorg/Mystery-34B-GGUF on a 3090?' }));
    expect(hub.requests.length).toBe(before);
  });

  it('defers when the Hub is slow, then edits the answer with the learned model', async () => {
    const c = command('ask', { question: 'can I run sloworg/Slow-34B-GGUF on a 5090?' });
    const { json, ms } = await post(c);
    expect(ms).toBeLessThan(3000);
    expect(json.type).toBe(5);
    const edit = await discord.waitFor(
      (r) => r.method === 'PATCH' && r.path === `/webhooks/${APP}/${c.token}/messages/@original`,
      8000,
    );
    expect(JSON.stringify(edit.body)).toMatch(/Slow-34B-GGUF · Q4_K_M/);
  });

  it('answers within the deadline when the Hub never does, sized from the name and saying why', async () => {
    const { json, ms } = await post(command('ask', { question: 'can I run deadorg/Stalled-70B-GGUF on a 5090?' }));
    expect(ms).toBeLessThan(3000);
    expect(JSON.stringify(json)).toMatch(/looked up deadorg\/Stalled-70B-GGUF: .*sized from its name instead/);
  });
});
