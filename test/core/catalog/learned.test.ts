import { describe, expect, it } from 'vitest';
import { learnModel } from '../../../src/core/catalog/learned.js';
import type { LearnedFacts } from '../../../src/core/catalog/learned-types.js';
import { kvCacheGB } from '../../../src/core/physics/memory.js';
import { catalog } from '../../helpers/catalog.js';

const basis = (ref: string, source: 'huggingface' | 'ollama' = 'huggingface') => ({
  source,
  ref,
  url: `https://huggingface.co/${ref}`,
  fetchedAt: '2026-11-30T10:00:00Z',
  read: ['model info', 'config.json', 'file sizes'],
});

// config.json of Qwen/Qwen3-Next-80B-A3B-Instruct (the fields whichgpu reads).
const QWEN3_NEXT = {
  architectures: ['Qwen3NextForCausalLM'],
  hidden_size: 2048,
  num_hidden_layers: 48,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  head_dim: 256,
  full_attention_interval: 4,
  linear_num_value_heads: 32,
  linear_num_key_heads: 16,
  linear_key_head_dim: 128,
  linear_value_head_dim: 128,
  num_experts: 512,
  num_experts_per_tok: 10,
  moe_intermediate_size: 512,
  vocab_size: 151936,
  max_position_embeddings: 262144,
  tie_word_embeddings: false,
};

// config.json of deepseek-ai/DeepSeek-V3.
const DEEPSEEK_V3 = {
  hidden_size: 7168,
  num_hidden_layers: 61,
  num_attention_heads: 128,
  num_key_value_heads: 128,
  kv_lora_rank: 512,
  qk_rope_head_dim: 64,
  qk_nope_head_dim: 128,
  v_head_dim: 128,
  n_routed_experts: 256,
  num_experts_per_tok: 8,
  moe_intermediate_size: 2048,
  first_k_dense_replace: 3,
  vocab_size: 129280,
  max_position_embeddings: 163840,
};

const learned = (facts: LearnedFacts) => {
  const r = learnModel(catalog, facts);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('a model learned from the Hub', () => {
  it('hybrid linear attention from config.json: 12 of 48 layers keep a cache, the other 36 a fixed state', () => {
    const m = learned({
      basis: basis('Qwen/Qwen3-Next-80B-A3B-Instruct'),
      name: 'Qwen3-Next-80B-A3B-Instruct',
      parameters: 81.3e9,
      config: QWEN3_NEXT,
      files: [],
    }).model;
    // 36 linear layers x 32 value heads x 128 x 128 x 4 bytes = 75.5 MB.
    expect(m.attention).toEqual({ kind: 'hybrid', fullLayers: 12, stateMB: 75.5 });
    expect(m.paramsB).toBe(81.3);
    expect(m.moe).toEqual({ experts: 512, activeExperts: 10 });
    // The cache at 256k by hand: 12 layers x 2 (K, V) x 2 heads x 256 x 2 bytes x 262,144 tokens + the state.
    expect(kvCacheGB(m, 262_144)).toBeCloseTo((12 * 2 * 2 * 256 * 2 * 262_144) / 1e9 + 0.0755, 6);
  });

  it('multi-head latent attention from config.json (kv_lora_rank, qk_rope_head_dim)', () => {
    const m = learned({
      basis: basis('deepseek-ai/DeepSeek-V3'),
      name: 'DeepSeek-V3',
      parameters: 684.5e9,
      config: DEEPSEEK_V3,
      files: [],
    }).model;
    expect(m.attention).toEqual({ kind: 'mla', kvLoraRank: 512, ropeHeadDim: 64 });
    expect(kvCacheGB(m, 32_768, 'q8_0')).toBeCloseTo(kvCacheGB(catalog.model('deepseek-r1-671b')!, 32_768, 'q8_0'), 9);
  });

  it('the language model of a vision-language config (text_config), sliding windows from layer_types', () => {
    const layer_types = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? 'sliding_attention' : 'full_attention'));
    const m = learned({
      basis: basis('org/vlm'),
      name: 'vlm',
      parameters: 21e9,
      config: {
        vision_config: { hidden_size: 1152 },
        text_config: {
          hidden_size: 2880,
          num_hidden_layers: 24,
          num_attention_heads: 64,
          num_key_value_heads: 8,
          head_dim: 64,
          sliding_window: 128,
          layer_types,
          vocab_size: 201088,
          max_position_embeddings: 131072,
        },
      },
      files: [],
    }).model;
    expect(m.attention).toEqual({ kind: 'sliding', window: 128, globalLayers: 12 });
    expect(m.layers).toBe(24);
  });

  it("real GGUF sizes from the file list: a quant's split parts summed, the mmproj apart", () => {
    const m = learned({
      basis: basis('unsloth/Qwen3-Next-80B-A3B-Instruct-GGUF'),
      name: 'Qwen3-Next-80B-A3B-Instruct-GGUF',
      parameters: 79.7e9,
      config: QWEN3_NEXT,
      files: [
        { path: 'Q4_K_M/Qwen3-Next-80B-A3B-Instruct-Q4_K_M-00001-of-00002.gguf', bytes: 30e9 },
        { path: 'Q4_K_M/Qwen3-Next-80B-A3B-Instruct-Q4_K_M-00002-of-00002.gguf', bytes: 18.4e9 },
        { path: 'Qwen3-Next-80B-A3B-Instruct-Q8_0.gguf', bytes: 84.8e9 },
        { path: 'mmproj-F16.gguf', bytes: 0.9e9 },
        { path: 'README.md', bytes: 9000 },
      ],
    }).model;
    expect(m.fileGB).toEqual({ Q4_K_M: 48.4, Q8_0: 84.8 });
    expect(m.mmprojGB).toBe(0.9);
  });

  it('an Ollama tag from its GGUF header, with the quant its config names', () => {
    const l = learned({
      basis: { ...basis('library/qwen3:30b', 'ollama'), read: ['manifest', 'GGUF header'] },
      name: 'qwen3:30b',
      gguf: {
        'general.architecture': 'qwen3moe',
        'qwen3moe.block_count': 48,
        'qwen3moe.embedding_length': 2048,
        'qwen3moe.attention.head_count': 32,
        'qwen3moe.attention.head_count_kv': 4,
        'qwen3moe.attention.key_length': 128,
        'qwen3moe.context_length': 262144,
        'qwen3moe.expert_count': 128,
        'qwen3moe.expert_used_count': 8,
        'qwen3moe.expert_feed_forward_length': 768,
      },
      ggufParameters: 30.53e9,
      files: [{ path: 'Qwen3-30B-A3B-Q4_K_M.gguf', bytes: 18.56e9 }],
      quant: 'q4_k_m',
    });
    expect(l.quant).toBe('Q4_K_M');
    expect(l.model).toMatchObject({ layers: 48, kvHeads: 4, headDim: 128, paramsB: 30.53, fileGB: { Q4_K_M: 18.56 } });
    expect(l.model.record.notes[0]).toMatch(
      /learned from the Ollama tag library\/qwen3:30b \(manifest, GGUF header\), fetched 2026-11-30/,
    );
  });

  it('refuses numbers no model has, and a repo with nothing to read', () => {
    const bad = learnModel(catalog, {
      basis: basis('x/y'),
      name: 'y',
      config: { ...QWEN3_NEXT, num_hidden_layers: 0 },
      files: [],
    });
    expect(bad.ok ? null : bad.error.code).toBe('BAD_MODEL_DATA');
    const huge = learnModel(catalog, {
      basis: basis('x/y'),
      name: 'y',
      parameters: 5e15,
      config: QWEN3_NEXT,
      files: [],
    });
    expect(huge.ok ? null : huge.error.message).toMatch(/which no model has/);
    const none = learnModel(catalog, {
      basis: basis('x/dataset'),
      name: 'dataset',
      files: [{ path: 'data.parquet', bytes: 1e6 }],
    });
    expect(none.ok ? null : none.error.code).toBe('UNKNOWN_MODEL');
  });

  it('estimates the parameters from the shape when the source gives no count, and says so', () => {
    const l = learned({
      basis: basis('meta-llama/Llama-3.1-8B'),
      name: 'Llama-3.1-8B',
      config: {
        hidden_size: 4096,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        intermediate_size: 14336,
        vocab_size: 128256,
        max_position_embeddings: 131072,
      },
      files: [],
    });
    expect(l.model.paramsB).toBeGreaterThan(7.5);
    expect(l.model.paramsB).toBeLessThan(8.3);
    expect(l.notes.join(' ')).toMatch(/estimated from the shape/);
  });
});

describe('an Ollama tag', () => {
  it("sizes the weights layer in the tag's quant and the projector layer as the mmproj", () => {
    const l = learnModel(catalog, {
      basis: {
        source: 'ollama',
        ref: 'gemma3:27b',
        url: 'https://registry.ollama.ai/v2/library/gemma3/manifests/27b',
        fetchedAt: '2026-11-30T10:00:00Z',
        read: ['manifest', 'GGUF header'],
      },
      name: 'gemma3:27b',
      gguf: {
        'general.architecture': 'gemma3',
        'gemma3.block_count': 62,
        'gemma3.embedding_length': 5376,
        'gemma3.attention.head_count': 32,
        'gemma3.attention.head_count_kv': 16,
        'gemma3.attention.key_length': 128,
        'gemma3.attention.sliding_window': 1024,
        'gemma3.context_length': 131072,
      },
      ggufParameters: 27.4e9,
      files: [
        { path: 'application/vnd.ollama.image.model', bytes: 17.4e9 },
        { path: 'application/vnd.ollama.image.projector', bytes: 0.82e9 },
      ],
      quant: 'Q4_K_M',
    });
    if (!l.ok) throw new Error(l.error.message);
    expect(l.value.model.fileGB).toEqual({ Q4_K_M: 17.4 });
    expect(l.value.model.mmprojGB).toBe(0.82);
    // llama.cpp keeps every 6th Gemma 3 layer global: 10 of 62.
    expect(l.value.model.attention).toEqual({ kind: 'sliding', window: 1024, globalLayers: 10 });
  });
});

describe('hostile or odd facts are answered as values', () => {
  const base = { basis: basis('org/x.-y7b'), name: 'x', config: QWEN3_NEXT, files: [] } as LearnedFacts;
  it.each([
    ['fractional layers', { ...base, config: { ...QWEN3_NEXT, num_hidden_layers: 47.5 } }],
    [
      'a negative window',
      {
        ...base,
        config: {
          ...QWEN3_NEXT,
          full_attention_interval: undefined,
          layer_types: ['sliding_attention'],
          sliding_window: -1,
        },
      },
    ],
    ['an empty name', { ...base, name: '' }],
    ['a date that is not one', { ...base, basis: { ...base.basis, fetchedAt: 'yesterday' } }],
    ['files missing', { ...base, files: undefined as unknown as LearnedFacts['files'] }],
    ['no basis', { ...base, basis: undefined as unknown as LearnedFacts['basis'] }],
  ])('%s', (_, facts) => {
    const r = learnModel(catalog, facts as LearnedFacts);
    expect(r.ok ? 'ok' : r.error.code).toMatch(/BAD_MODEL_DATA|ok/);
  });

  it('a repo name with ".-" still makes a valid id, and infinite sizes are dropped', () => {
    const r = learnModel(catalog, { ...base, parameters: 80e9, files: [{ path: 'x-Q4_K_M.gguf', bytes: Infinity }] });
    expect(r.ok && r.value.model.id).toBe('learned-org-x-y7b');
    expect(r.ok && r.value.model.fileGB).toEqual({});
  });
});
