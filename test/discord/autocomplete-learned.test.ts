/**
 * /compare's model autocomplete after a lookup learned a model, through the signed HTTP endpoint
 * (interaction type 4): the catalog's matches first, then the models learned recently, newest first,
 * each with its reference as the value, so /compare learns it again from the store's cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { FakeHfHub } from '../fakes/hf-hub.js';
import { FakeOllamaRegistry } from '../fakes/ollama-registry.js';
import { MYSTERY_34B_HEADER, tinyLlamaGguf } from '../fakes/gguf.js';
import { command, serveGuild, signBody, testKeys } from './helpers.js';

const keys = testKeys();
const discord = new FakeDiscordApi();
const hub = new FakeHfHub();
const registry = new FakeOllamaRegistry();
let t: TestApp;

const header = MYSTERY_34B_HEADER;

beforeAll(async () => {
  await discord.start();
  serveGuild(discord);
  await hub.start();
  await registry.start();
  const gguf = (total: number) => ({ total, architecture: 'llama', context_length: 32768 });
  hub.add({
    id: 'someorg/Mystery-34B-GGUF',
    gguf: gguf(34_400_000_000),
    files: [{ path: 'Mystery-34B-Q4_K_M.gguf', size: 20_660_000_000, head: header }],
  });
  hub.add({
    id: 'someorg/Phi-Mystery-14B-GGUF',
    gguf: gguf(14_700_000_000),
    files: [{ path: 'Phi-Mystery-14B-Q4_K_M.gguf', size: 8_900_000_000, head: header }],
  });
  registry.add({
    ref: 'library/mysterymix:7b',
    weights: { head: tinyLlamaGguf().bytes, size: 700_000_000 },
    config: { model_type: '7B', file_type: 'Q4_K_M' },
  });
  t = await startTestApp({
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: keys.publicKeyHex,
    DISCORD_TOKEN: 'test-token',
    DISCORD_API_URL: discord.url,
    MODEL_LOOKUP: 'on',
    HF_ENDPOINT: hub.url,
    OLLAMA_REGISTRY_URL: registry.url,
  });
});
afterAll(async () => {
  await t.close();
  await registry.stop();
  await hub.stop();
  await discord.stop();
});

type Choice = { name: string; value: string };

const post = async (payload: unknown) => {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${t.app.port}/discord/interactions`, {
    method: 'POST',
    body,
    headers: signBody(keys.privateKey, body),
  });
  const json = (await res.json()) as { type: number; data: { choices?: Choice[]; embeds?: { title: string }[] } };
  return { json, ms: performance.now() - started };
};

const suggest = async (typed: string) => {
  const { json, ms } = await post(command('compare', { model: typed }, { focused: 'model' }));
  expect(json.type).toBe(8);
  return { choices: json.data.choices!, ms };
};
const learnedOf = (choices: Choice[]) => choices.filter((c) => /learned from/.test(c.name));

describe('/compare autocomplete offers models lookups learned', () => {
  it('offers none before a lookup, then the learned repo at once, its reference as the value', async () => {
    expect(learnedOf((await suggest('mystery')).choices)).toEqual([]);
    await post(command('ask', { question: 'can I run someorg/Mystery-34B-GGUF on a 4090?' }));
    // This process cached it, so the list is read again now, not after LEARNED_REFRESH_MS.
    const { choices } = await suggest('mystery');
    expect(learnedOf(choices)).toEqual([
      { name: 'someorg/Mystery-34B-GGUF (34B, learned from Hugging Face)', value: 'someorg/Mystery-34B-GGUF' },
    ]);
    expect(choices.length).toBeLessThanOrEqual(25);
    // What was typed is not a reference, so it still goes first.
    expect(choices[0]).toEqual({ name: 'mystery', value: 'mystery' });
  });

  it("lists learned models after the catalog's own matches, newest first, at most 25 in all", async () => {
    await post(command('ask', { question: 'someorg/Phi-Mystery-14B-GGUF on a 3090?' }));
    await post(command('ask', { question: 'ollama run mysterymix:7b on a 3060?' }));
    const phi = (await suggest('phi')).choices;
    const firstLearned = phi.findIndex((c) => /learned from/.test(c.name));
    expect(phi.slice(1, firstLearned).length).toBeGreaterThan(0);
    expect(phi.slice(1, firstLearned).every((c) => /Phi/i.test(c.name))).toBe(true);
    expect(phi.slice(firstLearned).map((c) => c.value)).toEqual(['someorg/Phi-Mystery-14B-GGUF']);
    // Typed text matches the reference or the name, compacted like the catalog's ("myst ery" too).
    const all = learnedOf((await suggest('myst ery')).choices);
    expect(all.map((c) => c.value)).toEqual([
      'mysterymix:7b',
      'someorg/Phi-Mystery-14B-GGUF',
      'someorg/Mystery-34B-GGUF',
    ]);
    expect(all[0]!.name).toMatch(/^mysterymix:7b \(.*learned from Ollama\)$/);
    // A word that matches many catalog models leaves no room; the 25 are the catalog's.
    const many = (await suggest('')).choices;
    expect(many).toHaveLength(25);
    expect(learnedOf(many)).toEqual([]);
  });

  it('the picked value compares the learned model from the cache, without asking the Hub again', async () => {
    const before = hub.requests.length;
    const { json } = await post(command('compare', { model: 'someorg/Mystery-34B-GGUF', against: 'rtx-4090' }));
    expect(json.type).toBe(4);
    expect(json.data.embeds![0]!.title).toMatch(/^Mystery-34B-GGUF · Q4_K_M/);
    expect(JSON.stringify(json.data)).toMatch(/comes from the Hugging Face repo someorg\/Mystery-34B-GGUF/);
    expect(hub.requests.length).toBe(before);
  });

  it('answers from memory with 200 more learned rows in the store', async () => {
    // Rows shaped like a real one (its facts JSON, references renamed), newer than the others.
    const real = (await t.store.recentLearned(10)).find((r) => r.basisRef === 'someorg/Mystery-34B-GGUF')!;
    const json = (await t.store.readLearned('huggingface', real.ref))!.json;
    const now = Date.now();
    for (let i = 0; i < 200; i++) {
      const ref = `bulkorg/Bulk${i}-8B-GGUF`;
      await t.store.saveLearned({
        source: 'huggingface',
        ref: ref.toLowerCase(),
        status: 'found',
        json: json.replaceAll(real.basisRef, ref).replaceAll(real.name, ref.split('/')[1]!),
        fetchedAt: new Date(now + i).toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
      });
    }
    const times: number[] = [];
    for (const typed of ['bulk19', 'bulk1', 'mystery', 'qwen', 'bulkorg/Bulk199', 'x', 'phi mystery'].flatMap((w) =>
      Array<string>(15).fill(w),
    ))
      times.push((await suggest(typed)).ms);
    const bulk = (await suggest('bulk19')).choices;
    // The newest 100 learned rows are held in memory, newest first: Bulk19 itself is older than those.
    expect(learnedOf(bulk).map((c) => c.value)).toEqual(
      Array.from({ length: 10 }, (_, i) => `bulkorg/Bulk19${9 - i}-8B-GGUF`),
    );
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)]!;
    if (process.env.AUTOCOMPLETE_TIMES)
      console.log({ n: times.length, p50, p95: times[Math.floor(times.length * 0.95)], max: times.at(-1) });
    expect(p50).toBeLessThan(50);
    expect(times.at(-1)!).toBeLessThan(1000);
  });
});
