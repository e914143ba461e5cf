import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lookupHuggingFace, parseHfRef } from '../../src/lookup/huggingface.js';
import { quantGroups } from '../../src/lookup/gguf-files.js';
import type { LookupStats } from '../../src/lookup/lookup-types.js';
import { FakeHfHub } from '../fakes/hf-hub.js';
import { tinyLlamaGguf } from '../fakes/gguf.js';

const hub = new FakeHfHub();
const tiny = tinyLlamaGguf({ arch: 'glm4moe', vocab: 3000 });
const GB = 1e9;

const qwenNextConfig = {
  architectures: ['Qwen3NextForCausalLM'],
  model_type: 'qwen3_next',
  hidden_size: 2048,
  num_hidden_layers: 48,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  head_dim: 256,
  full_attention_interval: 4,
  num_experts: 512,
  num_experts_per_tok: 10,
  max_position_embeddings: 262144,
};

beforeAll(async () => {
  await hub.start();
  hub.add({
    id: 'Qwen/Qwen3-Next-80B-A3B-Instruct',
    safetensorsTotal: 81_324_862_720,
    files: [
      { path: 'config.json', size: 1300, text: JSON.stringify(qwenNextConfig) },
      { path: 'README.md', size: 9000, text: '# Qwen3-Next' },
      ...Array.from({ length: 41 }, (_, i) => ({
        path: `model-${String(i + 1).padStart(5, '0')}-of-00041.safetensors`,
        size: 3_990_000_000,
      })),
      { path: 'model.safetensors.index.json', size: 60_000, text: '{}' },
    ],
  });
  hub.add({
    id: 'unsloth/GLM-4.5-Air-GGUF',
    gguf: { total: 110_468_824_832, architecture: 'glm4moe', context_length: 131072 },
    files: [
      { path: 'Q4_K_M/GLM-4.5-Air-Q4_K_M-00001-of-00002.gguf', size: 49_950_000_000, head: tiny.bytes },
      { path: 'Q4_K_M/GLM-4.5-Air-Q4_K_M-00002-of-00002.gguf', size: 22_960_000_000 },
      { path: 'Q8_0/GLM-4.5-Air-Q8_0-00001-of-00003.gguf', size: 49_900_000_000, head: tiny.bytes },
      { path: 'Q8_0/GLM-4.5-Air-Q8_0-00002-of-00003.gguf', size: 49_900_000_000 },
      { path: 'Q8_0/GLM-4.5-Air-Q8_0-00003-of-00003.gguf', size: 17_400_000_000 },
      { path: 'GLM-4.5-Air-UD-IQ1_S.gguf', size: 38_000_000_000, head: tiny.bytes },
      { path: 'mmproj-F16.gguf', size: 900_000_000, head: tiny.bytes },
    ],
  });
  hub.add({
    id: 'meta-llama/Llama-3.3-70B-Instruct',
    gated: 'manual',
    safetensorsTotal: 70_553_706_496,
    files: [{ path: 'config.json', size: 900, text: JSON.stringify({ num_hidden_layers: 80, hidden_size: 8192 }) }],
  });
  hub.add({ id: 'someone/just-a-readme', files: [{ path: 'README.md', size: 10, text: 'hello' }] });
  hub.datasets.add('HuggingFaceFW/fineweb');
});
afterAll(() => hub.stop());
beforeEach(() => {
  hub.requests.length = 0;
  hub.storage.requests.length = 0;
  hub.storage.fault = undefined;
  hub.faults.length = 0;
  hub.treeSize = undefined;
  hub.pageSize = 1000;
});

const stats = (): LookupStats => ({ requests: 0, bytes: 0, ggufBytes: 0 });
const deps = (o: { token?: string; stats?: LookupStats } = {}) => ({
  endpoint: hub.url,
  now: () => new Date('2026-11-30T12:00:00Z'),
  ...o,
});

describe('parseHfRef', () => {
  it.each([
    ['Qwen/Qwen3-Next-80B-A3B-Instruct', { repo: 'Qwen/Qwen3-Next-80B-A3B-Instruct' }],
    ['https://huggingface.co/unsloth/GLM-4.5-Air-GGUF', { repo: 'unsloth/GLM-4.5-Air-GGUF' }],
    ['hf.co/org/repo:Q4_K_M', { repo: 'org/repo', quant: 'Q4_K_M' }],
    ['https://huggingface.co/org/repo/tree/main', { repo: 'org/repo' }],
    [
      'https://huggingface.co/org/repo/blob/main/Q4_K_M/x-00001-of-00002.gguf?download=true',
      { repo: 'org/repo', file: 'Q4_K_M/x-00001-of-00002.gguf' },
    ],
  ])('%s', (text, ref) => expect(parseHfRef(text)).toEqual({ ok: true, ref }));

  it.each([
    'qwen3',
    'a/b/c',
    '../etc/passwd',
    'org/re po',
    'https://huggingface.co/org/repo/blob/main/../../x',
    'org/repo:a:b',
  ])('refuses %s', (text) => expect(parseHfRef(text)).toMatchObject({ ok: false, code: 'BAD_REF' }));
});

describe('lookupHuggingFace against the fake Hub', () => {
  it('reads a dense Transformers repo: parameters, config.json and the safetensors sizes, in 3 requests', async () => {
    const s = stats();
    const t0 = performance.now();
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps({ stats: s }));
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      basis: {
        source: 'huggingface',
        ref: 'Qwen/Qwen3-Next-80B-A3B-Instruct',
        url: `${hub.url}/Qwen/Qwen3-Next-80B-A3B-Instruct`,
        fetchedAt: '2026-11-30T12:00:00.000Z',
        read: ['model info', 'file sizes', 'config.json'],
      },
      name: 'Qwen3-Next-80B-A3B-Instruct',
      parameters: 81_324_862_720,
      config: qwenNextConfig,
    });
    expect(r.value.gguf).toBeUndefined();
    expect(r.value.files).toHaveLength(41);
    expect(r.value.files.every((f) => f.path.endsWith('.safetensors') && f.bytes === 3_990_000_000)).toBe(true);
    expect(s.requests).toBe(3);
    expect(ms).toBeLessThan(1000);
    console.log(`dense repo lookup: ${ms.toFixed(1)} ms, ${s.requests} requests, ${s.bytes} bytes`);
  });

  it('reads a GGUF repo: split parts summed per quant, the Q4_K_M first part header by ranges, the token kept off the CDN', async () => {
    const s = stats();
    const t0 = performance.now();
    const r = await lookupHuggingFace(
      'https://huggingface.co/unsloth/GLM-4.5-Air-GGUF',
      deps({ stats: s, token: hub.goodToken }),
    );
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const v = r.value;
    expect(v.basis.read).toEqual([
      'model info',
      'file sizes',
      'GGUF header of Q4_K_M/GLM-4.5-Air-Q4_K_M-00001-of-00002.gguf',
    ]);
    expect(v.parameters).toBe(110_468_824_832);
    expect(v.quant).toBeUndefined();
    expect(v.ggufParameters).toBe(tiny.parameters);
    expect(v.gguf).toMatchObject({
      'general.architecture': 'glm4moe',
      'glm4moe.block_count': 2,
      'glm4moe.attention.head_count_kv': 2,
      'glm4moe.context_length': 32768,
      'glm4moe.vocab_size': 3000,
      'general.file_type': 15,
    });
    // The vocabulary and the chat template stay out of the facts (and the cache).
    expect(v.gguf!['tokenizer.ggml.tokens']).toBeUndefined();
    expect(v.gguf!['tokenizer.chat_template']).toBeUndefined();
    expect(v.gguf!['glm4moe.rope.freq_base']).toBeCloseTo(1000000.5, 0);
    const groups = quantGroups(v.files);
    expect(groups.map((g) => [g.quant, g.bytes, g.paths.length])).toEqual([
      ['UD-IQ1_S', 38 * GB, 1],
      ['Q4_K_M', 72.91 * GB, 2],
      ['Q8_0', 117.2 * GB, 3],
    ]);
    expect(v.files.find((f) => f.path === 'mmproj-F16.gguf')?.bytes).toBe(900_000_000);
    // Ranged reads went to storage on another origin with no token; the Hub got it.
    const ranged = hub.storage.requests;
    expect(ranged.length).toBeGreaterThan(0);
    expect(
      ranged.every((q) => q.headers.authorization === undefined && /^bytes=\d+-\d+$/.test(String(q.headers.range))),
    ).toBe(true);
    expect(
      hub.requests
        .filter((q) => q.path.startsWith('/api/'))
        .every((q) => q.headers.authorization === `Bearer ${hub.goodToken}`),
    ).toBe(true);
    // @huggingface/gguf asks 2 MB a range: one range holds this header (a real vocabulary takes 2-4).
    expect(s.ggufBytes).toBe(2_000_000);
    console.log(`GGUF repo lookup: ${ms.toFixed(1)} ms, ${s.requests} requests, ${s.ggufBytes} header bytes read`);
  });

  it('reads the quant a hf.co/...:QUANT reference names', async () => {
    const r = await lookupHuggingFace('hf.co/unsloth/GLM-4.5-Air-GGUF:q8_0', deps());
    expect(r.ok && r.value.quant).toBe('Q8_0');
    expect(r.ok && r.value.basis.read.at(-1)).toBe('GGUF header of Q8_0/GLM-4.5-Air-Q8_0-00001-of-00003.gguf');
    const missing = await lookupHuggingFace('hf.co/unsloth/GLM-4.5-Air-GGUF:Q2_K', deps());
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(!missing.ok && missing.error.message).toMatch(/no GGUF file for Q2_K \(it has UD-IQ1_S, Q4_K_M, Q8_0\)/);
  });

  it('says a repo that does not exist is not found (401 RepoNotFound without a token, 404 with one)', async () => {
    for (const token of [undefined, hub.goodToken]) {
      const r = await lookupHuggingFace('nobody/nothing-here', deps(token ? { token } : {}));
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(!r.ok && r.error.message).toMatch(/the model nobody\/nothing-here was not found on 127\.0\.0\.1:\d+/);
    }
  });

  it('says a gated repo needs a token, reads it with one that has access, and says when a token has none', async () => {
    const without = await lookupHuggingFace('meta-llama/Llama-3.3-70B-Instruct', deps());
    expect(without).toMatchObject({ ok: false, error: { code: 'GATED' } });
    expect(!without.ok && without.error.message).toMatch(/set HF_TOKEN/);
    const wrong = await lookupHuggingFace(
      'meta-llama/Llama-3.3-70B-Instruct',
      deps({ token: 'hf_SomeoneElsesToken000000' }),
    );
    expect(wrong).toMatchObject({ ok: false, error: { code: 'GATED' } });
    expect(!wrong.ok && wrong.error.message).toMatch(/HF_TOKEN has no access/);
    expect(!wrong.ok && wrong.error.message).not.toMatch(/hf_Some/);
    const good = await lookupHuggingFace('meta-llama/Llama-3.3-70B-Instruct', deps({ token: hub.goodToken }));
    expect(good.ok && good.value.config).toEqual({ num_hidden_layers: 80, hidden_size: 8192 });
  });

  it('says a dataset is not a model, by its URL (no request) or by the Hub', async () => {
    const byUrl = await lookupHuggingFace('https://huggingface.co/datasets/HuggingFaceFW/fineweb', deps());
    expect(byUrl).toMatchObject({ ok: false, error: { code: 'NOT_A_MODEL' } });
    expect(hub.requests).toHaveLength(0);
    const byId = await lookupHuggingFace('HuggingFaceFW/fineweb', deps());
    expect(byId).toMatchObject({
      ok: false,
      error: { code: 'NOT_A_MODEL', message: 'HuggingFaceFW/fineweb is a Hugging Face dataset, not a model' },
    });
  });

  it('says a repo with neither config.json nor GGUF is not a model', async () => {
    const r = await lookupHuggingFace('someone/just-a-readme', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_A_MODEL' } });
  });

  it('gives up on a Hub that stalls at the request deadline', async () => {
    hub.faults.push({ path: /^\/api\/models\//, fault: 'stall' });
    const t0 = performance.now();
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps());
    const ms = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(!r.ok && r.error.message).toMatch(/did not answer within 1500 ms/);
    expect(ms).toBeGreaterThan(1400);
    expect(ms).toBeLessThan(2600);
  });

  it('gives up on a CDN that stalls during the header read, within the request deadline', async () => {
    hub.storage.fault = 'stall';
    const t0 = performance.now();
    const r = await lookupHuggingFace('unsloth/GLM-4.5-Air-GGUF', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(performance.now() - t0).toBeLessThan(2600);
  });

  it("stops at the whole lookup's deadline when it comes before a request's own", async () => {
    hub.faults.push({ path: /^\/api\/models\//, fault: 'stall' });
    const t0 = performance.now();
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', { ...deps(), limits: { totalMs: 300 } });
    expect(r).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(!r.ok && r.error.message).toMatch(/ran out of its 300 ms/);
    expect(performance.now() - t0).toBeLessThan(800);
  });

  it('reports a 500 as an upstream failure', async () => {
    hub.faults.push({ path: /^\/api\/models\//, fault: '500' });
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'UPSTREAM' } });
    expect(!r.ok && r.error.message).toMatch(/answered 500/);
  });

  it('cuts a 2 GB model info at the 2 MB cap', async () => {
    hub.faults.push({ path: /^\/api\/models\/[^/]+\/[^/]+$/, fault: 'huge' });
    const s = stats();
    const t0 = performance.now();
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps({ stats: s }));
    expect(r).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    expect(s.bytes).toBeLessThan(3 * 1024 * 1024);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('answers BAD_DATA for a body that is not JSON', async () => {
    hub.faults.push({ path: /^\/api\/models\/[^/]+\/[^/]+$/, fault: 'not-json' });
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_DATA' } });
  });

  it('refuses a storage server whose Content-Range contradicts the listed size', async () => {
    hub.storage.fault = 'lie-size';
    const r = await lookupHuggingFace('unsloth/GLM-4.5-Air-GGUF', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_DATA' } });
    expect(!r.ok && r.error.message).toMatch(/states 1000 bytes for a file listed at 49950000000/);
  });

  it('drops tree sizes no file has (negative, fractional, past a petabyte, not numbers)', async () => {
    const lies: unknown[] = [-5, 1.5, 2 ** 60, 'big', null];
    let i = 0;
    hub.treeSize = (f) => (f.path.startsWith('Q8_0') ? lies[i++ % lies.length] : f.size);
    const r = await lookupHuggingFace('unsloth/GLM-4.5-Air-GGUF', deps());
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.files.map((f) => f.path).some((p) => p.startsWith('Q8_0'))).toBe(false);
  });

  it('reads a header from a storage server that ignores Range, or sends more than asked, without reading past the range', async () => {
    for (const fault of ['ignore-range', 'long-range'] as const) {
      hub.storage.fault = fault;
      hub.storage.bytesSent = 0;
      const s = stats();
      const r = await lookupHuggingFace('unsloth/GLM-4.5-Air-GGUF', deps({ stats: s }));
      expect(r.ok && r.value.gguf?.['general.architecture']).toBe('glm4moe');
      expect(s.ggufBytes).toBeLessThanOrEqual(2_000_000);
      expect(s.bytes).toBeLessThan(2_200_000);
    }
  });

  it('follows a redirect to a foreign host without the token', async () => {
    hub.faults.push({ path: /\/resolve\/main\/config\.json$/, fault: 'foreign' });
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps({ token: hub.goodToken }));
    expect(r.ok && r.value.config).toEqual({ hidden_size: 1 });
    expect(hub.requests.find((q) => q.path.endsWith('config.json'))?.headers.authorization).toBe(
      `Bearer ${hub.goodToken}`,
    );
    expect(hub.storage.requests).toHaveLength(1);
    expect(hub.storage.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('stops following redirects after 3', async () => {
    hub.faults.push({ path: /^\/api\/models\/[^/]+\/[^/]+$/, fault: 'loop' });
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'UPSTREAM' } });
    expect(!r.ok && r.error.message).toMatch(/redirected more than 3 times/);
    expect(hub.requests.filter((q) => /^\/api\/models\/[^/]+\/[^/]+$/.test(q.path))).toHaveLength(4);
  });

  it('follows the tree across pages (Link: rel="next")', async () => {
    hub.pageSize = 5;
    const r = await lookupHuggingFace('Qwen/Qwen3-Next-80B-A3B-Instruct', deps());
    expect(r.ok && r.value.files).toHaveLength(41);
    expect(hub.requests.filter((q) => q.path.includes('/tree/main')).length).toBeGreaterThan(5);
  });
});
