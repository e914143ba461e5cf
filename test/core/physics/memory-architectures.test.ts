import { describe, expect, it } from 'vitest';
import {
  estimateMemory,
  gpuBudgetGB,
  kvCacheGB,
  longestContextThatFits,
  runtimeOverheadGB,
} from '../../../src/core/physics/memory.js';
import { compare } from '../../../src/core/verdict/compare.js';
import type { ModelSpec } from '../../../src/core/catalog/specs.js';
import { catalog, device, model, quant } from '../../helpers/catalog.js';

const MIB = 1024 ** 2 / 1e9;
const GIB = 1024 ** 3 / 1e9;

/** A model shape from its config.json, for the architectures the catalog may not hold yet. */
const shaped = (over: Partial<ModelSpec>): ModelSpec => ({
  id: 'shape',
  name: 'shape',
  paramsB: 1,
  activeParamsB: 1,
  embeddingParamsB: 0,
  tiedEmbeddings: false,
  layers: 32,
  kvHeads: 8,
  headDim: 128,
  maxContext: 131072,
  attention: { kind: 'full' },
  fileGB: {},
  architectureEstimated: false,
  ...over,
});

describe('KV cache by architecture, against published figures', () => {
  it('full attention: Llama 3.1 8B holds 15.62 GiB for 128k tokens in f16 (Hugging Face, "Llama 3.1" blog)', () => {
    expect(kvCacheGB(model('llama-3.1-8b'), 128_000) / GIB).toBeCloseTo(15.625, 2);
  });

  it('MLA: DeepSeek V3/R1 caches one 576-wide latent per layer: 1166.62 MiB at 32k in q8_0 (ik_llama.cpp #259 log)', () => {
    expect(kvCacheGB(model('deepseek-r1-671b'), 32_768, 'q8_0') / MIB).toBeCloseTo(1166.62, 1);
    // Without the latent, 128 heads of K (192) and V (128) would need ~55x more.
    const unlatent = shaped({ layers: 61, kvHeads: 128, headDim: 160 });
    expect(kvCacheGB(unlatent, 32_768, 'q8_0') / kvCacheGB(model('deepseek-r1-671b'), 32_768, 'q8_0')).toBeGreaterThan(
      50,
    );
  });

  it('hybrid: Qwen3-Next 80B keeps a cache in 12 of 48 layers (2 KV heads x 256) plus a fixed state', () => {
    // config.json: num_hidden_layers 48, full_attention_interval 4, num_key_value_heads 2, head_dim 256;
    // each of the 36 linear layers keeps 32 value heads x 128 x 128 f32 of state plus a small
    // convolution state: ~2.1 MiB, ~75 MB in all.
    const next = shaped({
      layers: 48,
      kvHeads: 2,
      headDim: 256,
      attention: { kind: 'hybrid', fullLayers: 12, stateMB: 75 },
    });
    // 12 layers x 2 (K, V) x 2 heads x 256 x 2 bytes = 24,576 bytes a token: 6 GiB at 256k, + 75 MB of state.
    expect(kvCacheGB(next, 262_144)).toBeCloseTo((24_576 * 262_144) / 1e9 + 0.075, 6);
    expect(kvCacheGB(next, 0)).toBeCloseTo(0.075, 6);
  });

  it('sliding windows: gpt-oss-120b keeps the whole context only in its 18 global layers', () => {
    // 18 x 2 x 8 x 64 x 2 bytes = 36,864 bytes a token, + 18 layers x a 128-token window.
    expect(kvCacheGB(model('gpt-oss-120b'), 131_072)).toBeCloseTo((36_864 * 131_072 + 36_864 * 128) / 1e9, 6);
  });

  it('sliding windows whose global layers have another K/V shape than the local ones', () => {
    const m = shaped({
      layers: 60,
      kvHeads: 16,
      headDim: 256,
      attention: { kind: 'sliding', window: 1024, globalLayers: 10, globalKvHeads: 4, globalHeadDim: 512 },
    });
    const global = 2 * 4 * 512 * 2 * 10;
    const local = 2 * 16 * 256 * 2 * 50;
    expect(kvCacheGB(m, 65_536)).toBeCloseTo((global * 65_536 + local * 1024) / 1e9, 6);
  });

  it('a quantized cache: q8_0 is 1.0625 bytes an element and q4_0 0.5625 (ggml block formats)', () => {
    const f16 = kvCacheGB(model('llama-3.1-8b'), 32_768);
    expect(kvCacheGB(model('llama-3.1-8b'), 32_768, 'q8_0') / f16).toBeCloseTo(0.53125, 6);
    expect(kvCacheGB(model('llama-3.1-8b'), 32_768, 'q4_0') / f16).toBeCloseTo(0.28125, 6);
  });
});

describe('the longest context that fits in GPU memory', () => {
  it('is what the budget leaves after weights and overhead, divided by the cache per token (within 256 tokens)', () => {
    const dev = device('rtx-4090');
    const m = model('qwen3-32b');
    const q = quant('Q4_K_M');
    const room = gpuBudgetGB(dev).defaultGB - estimateMemory(dev, m, q, 0).weightsGB - runtimeOverheadGB(dev);
    const perToken = (m.layers * 2 * m.kvHeads * m.headDim * 2) / 1e9;
    const longest = longestContextThatFits(dev, m, q);
    expect(Math.abs(longest - room / perToken)).toBeLessThan(257);
    // A q8_0 cache is 1.0625 bytes an element: about 1.88x the context.
    expect(longestContextThatFits(dev, m, q, 'q8_0') / longest).toBeCloseTo(2 / 1.0625, 1);
  });

  it("is the model's own maximum when everything fits, and 0 when the weights alone do not", () => {
    expect(longestContextThatFits(device('rtx-5090'), model('llama-3.1-8b'), quant('Q4_K_M'))).toBe(131072);
    expect(longestContextThatFits(device('rtx-4090'), model('llama-3.3-70b'), quant('Q4_K_M'))).toBe(0);
  });

  it('is said with the answer when the asked context does not fit, and a q8_0 cache is sized when asked for', () => {
    const at = (kvCache?: 'q8_0') => {
      const v = compare(catalog, {
        model: 'qwen3-32b',
        device: 'rtx-4090',
        contextTokens: 65536,
        ...(kvCache ? { kvCache } : {}),
      });
      if (!v.ok) throw new Error(v.error.message);
      return v.value;
    };
    const f16 = at();
    expect(f16.verdict.caveats.join(' ')).toMatch(
      /RTX 4090: the whole model stays in GPU memory up to \d+k tokens of context \(\d+k with a q8_0 KV cache/,
    );
    const q8 = at('q8_0');
    const kv = (d: typeof f16) => d.devices.find((x) => x.id === 'rtx-4090')!.memory.kvCacheGB;
    expect(kv(q8) / kv(f16)).toBeCloseTo(1.0625 / 2, 6);
    expect(q8.query.kvCache).toBe('q8_0');
  });
});
