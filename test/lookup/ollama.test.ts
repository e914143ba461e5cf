import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lookupOllama, parameterSize, parseOllamaRef } from '../../src/lookup/ollama.js';
import type { LookupStats } from '../../src/lookup/lookup-types.js';
import { FakeOllamaRegistry } from '../fakes/ollama-registry.js';
import { tinyLlamaGguf } from '../fakes/gguf.js';

const registry = new FakeOllamaRegistry();
const tiny = tinyLlamaGguf({ arch: 'qwen3moe', vocab: 151936 });

beforeAll(async () => {
  await registry.start();
  registry.add({
    ref: 'library/qwen3:30b-a3b',
    weights: { head: tiny.bytes, size: 18_556_688_736 },
    config: {
      model_format: 'gguf',
      model_family: 'qwen3moe',
      model_families: ['qwen3moe'],
      model_type: '30.5B',
      file_type: 'Q4_K_M',
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    },
  });
  registry.add({
    ref: 'someone/vision-model:7b',
    weights: { head: tinyLlamaGguf().bytes, size: 4_683_073_184 },
    projector: { size: 851_040_000 },
    config: { model_format: 'gguf', model_family: 'llama', model_type: '7B', file_type: 'q4_K_M' },
  });
});
afterAll(() => registry.stop());
beforeEach(() => {
  registry.requests.length = 0;
  registry.storage.requests.length = 0;
  registry.storage.fault = undefined;
  registry.fault = undefined;
});

const stats = (): LookupStats => ({ requests: 0, bytes: 0, ggufBytes: 0 });
const deps = (s?: LookupStats) => ({
  registry: registry.url,
  now: () => new Date('2026-11-30T12:00:00Z'),
  ...(s ? { stats: s } : {}),
});

describe('parseOllamaRef', () => {
  it.each([
    ['qwen3', { namespace: 'library', name: 'qwen3', tag: 'latest' }],
    ['qwen3:30b-a3b', { namespace: 'library', name: 'qwen3', tag: '30b-a3b' }],
    ['hhao/qwen2.5-coder-tools:7b', { namespace: 'hhao', name: 'qwen2.5-coder-tools', tag: '7b' }],
    ['https://ollama.com/library/gpt-oss:20b', { namespace: 'library', name: 'gpt-oss', tag: '20b' }],
    ['Gemma3:27B-IT-QAT', { namespace: 'library', name: 'gemma3', tag: '27b-it-qat' }],
  ])('%s', (text, ref) => expect(parseOllamaRef(text)).toEqual(ref));

  it.each(['', 'a/b/c', 'qwen3:', 'x:y:z', '../x', 'what is the best gpu'])('refuses %j', (text) =>
    expect(parseOllamaRef(text)).toBeUndefined(),
  );

  it('reads a parameter size', () => {
    expect([parameterSize('30.5B'), parameterSize('567M'), parameterSize('1T'), parameterSize('huge')]).toEqual([
      30_500_000_000,
      567_000_000,
      1e12,
      undefined,
    ]);
  });
});

describe('lookupOllama against the fake registry', () => {
  it('reads a tag: manifest sizes, config blob, and the weights header through the 307 to storage', async () => {
    const s = stats();
    const t0 = performance.now();
    const r = await lookupOllama('qwen3:30b-a3b', deps(s));
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      basis: {
        source: 'ollama',
        ref: 'qwen3:30b-a3b',
        url: `${registry.url}/v2/library/qwen3/manifests/30b-a3b`,
        read: ['manifest', 'config blob', 'GGUF header'],
      },
      name: 'qwen3:30b-a3b',
      parameters: 30_500_000_000,
      quant: 'Q4_K_M',
      ggufParameters: tiny.parameters,
      files: [{ path: 'application/vnd.ollama.image.model', bytes: 18_556_688_736 }],
    });
    expect(r.value.gguf).toMatchObject({ 'general.architecture': 'qwen3moe', 'qwen3moe.vocab_size': 151936 });
    const manifest = registry.requests.find((q) => q.path.includes('/manifests/'));
    expect(manifest?.headers.accept).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(registry.storage.requests.some((q) => q.headers.range === 'bytes=0-1999999')).toBe(true);
    const s2 = stats();
    const t1 = performance.now();
    await lookupOllama('qwen3:30b-a3b', deps(s2));
    const warm = performance.now() - t1;
    console.log(
      `Ollama tag lookup (151,936-token vocabulary): ${ms.toFixed(1)} ms cold, ${warm.toFixed(1)} ms warm, ${s.requests} requests, ${s.ggufBytes} header bytes read`,
    );
  });

  it('lists the projector of a namespaced multimodal tag', async () => {
    const r = await lookupOllama('someone/vision-model:7b', deps());
    expect(r.ok && r.value.files).toEqual([
      { path: 'application/vnd.ollama.image.model', bytes: 4_683_073_184 },
      { path: 'application/vnd.ollama.image.projector', bytes: 851_040_000 },
    ]);
    expect(r.ok && r.value.basis.ref).toBe('someone/vision-model:7b');
    expect(r.ok && r.value.quant).toBe('Q4_K_M');
  });

  it('says an unknown tag is not found', async () => {
    const r = await lookupOllama('qwen3:999b', deps());
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(!r.ok && r.error.message).toMatch(/the Ollama tag qwen3:999b was not found/);
  });

  it('reports a 500 and a stall', async () => {
    registry.fault = '500';
    expect(await lookupOllama('qwen3:30b-a3b', deps())).toMatchObject({ ok: false, error: { code: 'UPSTREAM' } });
    registry.fault = 'stall';
    const t0 = performance.now();
    expect(await lookupOllama('qwen3:30b-a3b', deps())).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(performance.now() - t0).toBeLessThan(2600);
  });

  it('refuses storage that lies about the blob size, and cuts one that streams 2 GB', async () => {
    registry.storage.fault = 'lie-size';
    const lie = await lookupOllama('qwen3:30b-a3b', deps());
    expect(lie).toMatchObject({ ok: false, error: { code: 'BAD_DATA' } });
    expect(!lie.ok && lie.error.message).toMatch(/states 1000 bytes for a file listed at 18556688736/);
    registry.storage.fault = 'huge';
    const s = stats();
    const huge = await lookupOllama('qwen3:30b-a3b', deps(s));
    expect(huge).toMatchObject({ ok: false, error: { code: 'BAD_DATA' } });
    // The config blob (2 MB JSON cap) and the weights' first range (2 MB) both come from storage.
    expect(s.bytes).toBeLessThan(2 * 2_200_000);
  });

  it('refuses text that is no tag without asking', async () => {
    expect(await lookupOllama('not a tag', deps())).toMatchObject({ ok: false, error: { code: 'BAD_REF' } });
    expect(registry.requests).toHaveLength(0);
  });
});
