import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FOUND_TTL_MS,
  NOT_FOUND_TTL_MS,
  lookupModel,
  lookupTarget,
  type ModelLookupDeps,
} from '../../src/lookup/cache.js';
import { SqliteStore } from '../../src/store/store.js';
import { FakeHfHub } from '../fakes/hf-hub.js';
import { FakeOllamaRegistry } from '../fakes/ollama-registry.js';
import { tinyLlamaGguf } from '../fakes/gguf.js';

const hub = new FakeHfHub();
const registry = new FakeOllamaRegistry();
let store: SqliteStore;
let clock = new Date('2026-11-30T12:00:00Z');

beforeAll(async () => {
  await hub.start();
  await registry.start();
  hub.add({
    id: 'org/dense-8b',
    safetensorsTotal: 8_030_261_248,
    files: [
      { path: 'config.json', size: 100, text: JSON.stringify({ num_hidden_layers: 32, hidden_size: 4096 }) },
      { path: 'model.safetensors', size: 16_060_522_496 },
    ],
  });
  registry.add({
    ref: 'library/tiny:1b',
    weights: { head: tinyLlamaGguf().bytes, size: 700_000_000 },
    config: { model_type: '1B', file_type: 'Q4_K_M' },
  });
});
afterAll(async () => {
  await hub.stop();
  await registry.stop();
});
beforeEach(async () => {
  store = SqliteStore.open(':memory:');
  clock = new Date('2026-11-30T12:00:00Z');
  hub.requests.length = 0;
  registry.requests.length = 0;
});

const deps = (o: Partial<ModelLookupDeps['config']> = {}): ModelLookupDeps => ({
  config: { HF_ENDPOINT: hub.url, OLLAMA_REGISTRY_URL: registry.url, MODEL_LOOKUP: 'on', ...o },
  cache: store,
  now: () => clock,
});

describe('lookupTarget', () => {
  it.each([
    ['Qwen/Qwen3-8B', 'huggingface', 'qwen/qwen3-8b'],
    ['https://huggingface.co/unsloth/GLM-4.5-Air-GGUF', 'huggingface', 'unsloth/glm-4.5-air-gguf'],
    ['hf.co/org/repo:q4_k_m', 'huggingface', 'org/repo:Q4_K_M'],
    ['qwen3', 'ollama', 'qwen3:latest'],
    ['qwen3:30b-a3b', 'ollama', 'qwen3:30b-a3b'],
    ['library/qwen3:8b', 'ollama', 'qwen3:8b'],
    ['hhao/qwen2.5-coder-tools:7b', 'ollama', 'hhao/qwen2.5-coder-tools:7b'],
    ['https://ollama.com/library/gpt-oss:20b', 'ollama', 'gpt-oss:20b'],
  ])('%s -> %s %s', (text, source, key) => expect(lookupTarget(text)).toEqual({ source, key }));

  it('refuses text that is neither', async () => {
    expect(lookupTarget('which gpu for llama?')).toMatchObject({ source: undefined, error: { code: 'BAD_REF' } });
    expect(lookupTarget('https://huggingface.co/datasets/a/b')).toMatchObject({ error: { code: 'NOT_A_MODEL' } });
  });
});

describe('lookupModel with the store cache', () => {
  it('answers "lookup is off" at once with MODEL_LOOKUP=off', async () => {
    const r = await lookupModel('org/dense-8b', deps({ MODEL_LOOKUP: 'off' }));
    expect(r).toMatchObject({ ok: false, error: { code: 'OFF' } });
    expect(hub.requests).toHaveLength(0);
  });

  it('asks the Hub once, then answers from the cache until 7 days have passed', async () => {
    const first = await lookupModel('org/dense-8b', deps());
    expect(first.ok && first.value.parameters).toBe(8_030_261_248);
    const asked = hub.requests.length;
    expect(asked).toBe(3);
    const second = await lookupModel('https://huggingface.co/org/dense-8b', deps());
    expect(second).toEqual(first);
    expect(hub.requests).toHaveLength(asked);
    clock = new Date(clock.getTime() + FOUND_TTL_MS - 1000);
    await lookupModel('org/dense-8b', deps());
    expect(hub.requests).toHaveLength(asked);
    clock = new Date(clock.getTime() + 2000);
    const third = await lookupModel('org/dense-8b', deps());
    expect(third.ok).toBe(true);
    expect(hub.requests).toHaveLength(2 * asked);
  });

  it('caches an Ollama tag the same way', async () => {
    const first = await lookupModel('tiny:1b', deps());
    expect(first.ok && first.value.quant).toBe('Q4_K_M');
    const n = registry.requests.length;
    expect(await lookupModel('library/tiny:1b', deps())).toEqual(first);
    expect(registry.requests).toHaveLength(n);
  });

  it('keeps a "not found" for an hour, and does not keep a failure', async () => {
    const miss = await lookupModel('org/missing', deps());
    expect(miss).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const n = hub.requests.length;
    expect(await lookupModel('org/missing', deps())).toEqual(miss);
    expect(hub.requests).toHaveLength(n);
    clock = new Date(clock.getTime() + NOT_FOUND_TTL_MS + 1);
    await lookupModel('org/missing', deps());
    expect(hub.requests.length).toBeGreaterThan(n);

    hub.faults.push({ path: /^\/api\/models\//, fault: '500' });
    try {
      expect(await lookupModel('org/dense-8b', deps())).toMatchObject({ ok: false, error: { code: 'UPSTREAM' } });
    } finally {
      hub.faults.length = 0;
    }
    expect(await lookupModel('org/dense-8b', deps())).toMatchObject({ ok: true });
  });

  it('shares one request among lookups of the same reference at the same time', async () => {
    const all = await Promise.all([1, 2, 3, 4].map(() => lookupModel('org/dense-8b', { ...deps(), cache: undefined })));
    expect(all.every((r) => r.ok)).toBe(true);
    expect(hub.requests).toHaveLength(3);
  });

  it('treats a row that no longer parses as a miss', async () => {
    await store.saveLearned({
      source: 'huggingface',
      ref: 'org/dense-8b',
      status: 'found',
      json: '{"broken',
      fetchedAt: clock.toISOString(),
      expiresAt: new Date(clock.getTime() + 1000).toISOString(),
    });
    expect(await lookupModel('org/dense-8b', deps())).toMatchObject({ ok: true });
    expect(hub.requests).toHaveLength(3);
  });
});

describe('the learned_models table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-learned-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is migration 5, refuses rows past 256 KiB and prunes expired rows on write', async () => {
    const path = join(dir, 'db.sqlite');
    const s = SqliteStore.open(path);
    const now = new Date('2026-11-30T12:00:00Z');
    const row = (ref: string, expiresInMs: number, json = '{}') => ({
      source: 'ollama' as const,
      ref,
      status: 'found' as const,
      json,
      fetchedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + expiresInMs).toISOString(),
    });
    expect(await s.saveLearned(row('old:1', -1))).toBe(true);
    expect(await s.saveLearned(row('big:1', 1000, 'x'.repeat(300_000)))).toBe(false);
    expect(await s.readLearned('ollama', 'old:1', now)).toBeUndefined();
    expect(await s.saveLearned(row('new:1', 1000))).toBe(true);
    expect((await s.readLearned('ollama', 'new:1', now))?.json).toBe('{}');
    s.close();
    const raw = new Database(path);
    expect(raw.pragma('user_version', { simple: true })).toBe(8);
    expect(raw.prepare('SELECT ref FROM learned_models ORDER BY ref').all()).toEqual([{ ref: 'new:1' }]);
    raw.close();
  });
});
