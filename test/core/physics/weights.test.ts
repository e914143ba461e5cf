import { describe, expect, it } from 'vitest';
import {
  DENSE_BLOCK_KERNELS,
  EXPERT_GEMM_HALF_TOKENS,
  expertGemmShare,
  expertParamsB,
  MLX_EXPERT_GEMM_HALF_TOKENS,
  moeKernelShare,
  routedExpertParamsB,
  splitWeights,
  streamedWeightsGB,
  activeParamsWithEmbeddingB,
} from '../../../src/core/physics/weights.js';
import { catalog, model } from '../../helpers/catalog.js';
import { resolveModel } from '../../../src/core/index.js';

describe('MoE kernels per block', () => {
  it('a dense block launches no routing kernels', () => {
    expect(moeKernelShare(model('llama-3.1-8b'))).toBe(0);
  });

  it('routing adds 7 kernels and one add per expert used beyond the first: Qwen3-30B-A3B (8 of 128) 14 / 24', () => {
    expect(moeKernelShare(model('qwen3-30b-a3b'))).toBeCloseTo(14 / DENSE_BLOCK_KERNELS, 6);
  });

  it('more experts used per token cost more kernels: gpt-oss (4) below Qwen3 (8), Mixtral (2) below both', () => {
    const mixtral = moeKernelShare(model('mixtral-8x7b'));
    const gptOss = moeKernelShare(model('gpt-oss-20b'));
    const qwen = moeKernelShare(model('qwen3-30b-a3b'));
    expect(mixtral).toBeLessThan(gptOss);
    expect(gptOss).toBeLessThan(qwen);
    // Physically bounded: a MoE block never more than doubles a dense block's kernels here.
    expect(qwen).toBeLessThan(1);
  });
});

describe('routed experts', () => {
  it('Qwen3-30B-A3B runs ~1.8B of its 3.3B active parameters in experts', () => {
    expect(routedExpertParamsB(model('qwen3-30b-a3b'))).toBeGreaterThan(1.6);
    expect(routedExpertParamsB(model('qwen3-30b-a3b'))).toBeLessThan(2.0);
  });

  it('never more than the active parameters, and none for a dense model', () => {
    for (const id of ['qwen3-30b-a3b', 'gpt-oss-20b', 'gpt-oss-120b', 'mixtral-8x7b', 'deepseek-r1-671b']) {
      const m = model(id);
      expect(routedExpertParamsB(m)).toBeLessThan(m.activeParamsB);
    }
    expect(routedExpertParamsB(model('llama-3.1-8b'))).toBe(0);
  });
});

describe('expert parameters from the stated totals', () => {
  it('Qwen3-30B-A3B, whose counts both hold its embeddings: (30.5 - 3.3) / (1 - 8/128) = 29.0 B', () => {
    expect(expertParamsB(model('qwen3-30b-a3b'))).toBeCloseTo(27.2 / (1 - 8 / 128), 6);
  });

  it("gpt-oss-20b's stated 3.61 B leaves out the input embedding: its 19.1 B of experts either way it is counted", () => {
    const m = model('gpt-oss-20b');
    // Read like Qwen's, 3.6 B would leave the dense part no more than the two embedding tables.
    expect(expertParamsB(m)).toBeCloseTo(19.1, 1);
    // The same model with the input embedding in its active count (data/calibration-inputs.json's 4.19 B).
    expect(expertParamsB({ ...m, activeParamsB: m.activeParamsB + m.embeddingParamsB })).toBeCloseTo(19.1, 1);
    // What is left for the blocks' attention: 24 x 26.5 M in the model's shapes.
    const w = splitWeights(m, 12.11, 'mxfp4');
    expect(w.layerDenseParamsB * m.layers).toBeGreaterThan(0.5);
    expect(w.layerDenseParamsB * m.layers).toBeLessThan(0.8);
  });

  it("gpt-oss-120b's experts and per-token read from its shapes: 114.7 B of experts, ~3.69 GB a token in MXFP4", () => {
    // config.json: 36 blocks of 128 experts (top 4), hidden 2880, expert width 2880, 64 query and 8 KV
    // heads of 64, vocabulary 201088. An expert is gate_up (2880 x 5760 + 5760) and down (2880 x 2880 + 2880).
    const expert = 2880 * 5760 + 5760 + 2880 * 2880 + 2880;
    const attention = 2880 * 4096 + 4096 + 2 * (2880 * 512 + 512) + 4096 * 2880 + 2880;
    const m = model('gpt-oss-120b');
    expect(expertParamsB(m)).toBeCloseTo((36 * 128 * expert) / 1e9, 1);
    // Its blocks keep their attention (36 x 26.5 M) and routers, not a third of it (the catalog's
    // 116.8 and 5.1 B are the card's 116.83 and 5.13 rounded).
    const w = splitWeights(m, 63.4, 'mxfp4');
    expect(w.layerDenseParamsB * 1e9).toBeGreaterThan(0.95 * attention);
    expect(w.layerDenseParamsB * 1e9).toBeLessThan(1.05 * (attention + 2880 * 128 + 128));
    // A token reads 4 of 128 experts at 4.25 bits and the rest of the file's bytes (attention,
    // routers and the head, ~9.3 bits in ggml-org's file) in full.
    const dense = (63.4 * 8 - expertParamsB(m) * 4.25) / (m.paramsB - expertParamsB(m));
    const read = ((expertParamsB(m) * 4) / 128) * (4.25 / 8) + ((5.13 - (114.7 * 4) / 128) * dense) / 8;
    expect(streamedWeightsGB(m, 63.4, 'mxfp4')).toBeCloseTo(read, 1);
    expect(streamedWeightsGB(m, 63.4, 'mxfp4')).toBeCloseTo(3.69, 1);
  });

  it('the same model stated with and without its input embedding gets the same split (both gpt-oss sizes)', () => {
    for (const id of ['gpt-oss-20b', 'gpt-oss-120b']) {
      const m = model(id);
      const withInput = { ...m, activeParamsB: m.activeParamsB + m.embeddingParamsB };
      expect(expertParamsB(withInput)).toBeCloseTo(expertParamsB(m), 1);
      expect(activeParamsWithEmbeddingB(m)).toBeCloseTo(withInput.activeParamsB, 1);
    }
  });

  it('a count that holds the input embedding is read as it stands (the blocks keep more than one table)', () => {
    for (const id of ['qwen3-30b-a3b', 'mixtral-8x7b', 'minimax-m2', 'deepseek-r1-671b', 'glm-4.5-air']) {
      const m = model(id);
      const moe = m.moe!;
      expect(expertParamsB(m)).toBeCloseTo((m.paramsB - m.activeParamsB) / (1 - moe.activeExperts / moe.experts), 6);
      expect(activeParamsWithEmbeddingB(m)).toBeCloseTo(m.activeParamsB, 6);
    }
    expect(activeParamsWithEmbeddingB(model('llama-3.1-8b'))).toBe(model('llama-3.1-8b').activeParamsB);
  });

  it('a size-only MoE ("80b-a3b", "30b-a3b") keeps its stated count: its layout is assumed, so its split tells nothing', () => {
    for (const typed of ['80b-a3b', '480b-a17b', '30b-a3b', '235b-a17b']) {
      const r = resolveModel(catalog, typed);
      if (!r.ok) throw new Error(typed);
      const m = r.value.model;
      expect(activeParamsWithEmbeddingB(m)).toBe(m.activeParamsB);
    }
    const r = resolveModel(catalog, '30b-a3b');
    if (!r.ok) throw new Error('30b-a3b');
    expect(expertParamsB(r.value.model)).toBeCloseTo((30 - 3) / (1 - 8 / 128), 6);
  });

  it('a dense model has none, and its head is its embedding table (Llama 3.1 8B: 0.525 B)', () => {
    expect(expertParamsB(model('llama-3.1-8b'))).toBe(0);
    expect(splitWeights(model('llama-3.1-8b'), 4.92).headParamsB).toBeCloseTo(0.525, 6);
  });
});

describe('expert GEMM share in prefill', () => {
  it('is 1 for a dense model', () => {
    expect(expertGemmShare(model('llama-3.1-8b'), 512)).toBe(1);
  });

  it('a 512-token micro-batch gives Qwen3-30B-A3B 32 tokens per expert: t/(t+48) against the dense 512', () => {
    const fill = (t: number) => t / (t + EXPERT_GEMM_HALF_TOKENS);
    expect(expertGemmShare(model('qwen3-30b-a3b'), 512)).toBeCloseTo(fill(32) / fill(512), 6);
    expect(expertGemmShare(model('qwen3-30b-a3b'), 512)).toBeCloseTo(0.44, 2);
  });

  it("MLX's sorted gather_qmm fills sooner (16-token tiles): 43 tokens per expert reach 69% of a dense GEMM", () => {
    const fill = (t: number) => t / (t + MLX_EXPERT_GEMM_HALF_TOKENS);
    expect(fill(43)).toBeCloseTo(0.69, 2);
    const m = model('qwen3-30b-a3b');
    for (const tokens of [512, 2048])
      expect(expertGemmShare(m, tokens, MLX_EXPERT_GEMM_HALF_TOKENS)).toBeGreaterThan(expertGemmShare(m, tokens));
  });

  it('grows with the tokens per expert: gpt-oss-120b (4 of 128) < Qwen3 (8 of 128) < gpt-oss-20b (4 of 32)', () => {
    const at = (id: string) => expertGemmShare(model(id), 512);
    expect(at('gpt-oss-120b')).toBeLessThan(at('qwen3-30b-a3b'));
    expect(at('qwen3-30b-a3b')).toBeLessThan(at('gpt-oss-20b'));
    expect(at('gpt-oss-20b')).toBeLessThan(1);
  });

  it('never falls as the micro-batch grows, and stays within (0, 1]', () => {
    const m = model('qwen3-30b-a3b');
    let last = 0;
    for (const tokens of [1, 8, 64, 256, 512, 2048, 8192]) {
      const s = expertGemmShare(m, tokens);
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(s).toBeGreaterThanOrEqual(last - 1e-12);
      last = s;
    }
  });
});
