import { describe, expect, it } from 'vitest';
import { fitAttentionFactor, type PrefillPair } from '../../../src/core/physics/calibration-fit.js';
import {
  attentionFlopsPerToken,
  MATERIALIZED_SCORE_BYTES,
  materializedScoreBytesPerToken,
  pipelineSpeedup,
  prefillTokensPerSec,
  type PrefillInput,
} from '../../../src/core/physics/speed.js';
import { attendedTokens, attentionWidth } from '../../../src/core/physics/weights.js';
import { catalog, model, verdict } from '../../helpers/catalog.js';

const params = catalog.calibration;
const rtx3090 = { backend: 'cuda' as const, fp16Tflops: 142, bandwidthGBs: 936 };
const prompt = (id: string, weightsGB: number, depthTokens: number, promptTokens = 512): PrefillInput => ({
  device: rtx3090,
  model: model(id),
  weightsGB,
  family: 'k-quant',
  depthTokens,
  promptTokens,
});

describe('attention in prefill', () => {
  it('sizes attention from the model: Llama 3.1 8B and 70B near their 4096 and 8192 query widths', () => {
    expect(attentionWidth(model('llama-3.1-8b'), 4.9)).toBeGreaterThan(3700);
    expect(attentionWidth(model('llama-3.1-8b'), 4.9)).toBeLessThan(4500);
    expect(attentionWidth(model('llama-3.1-70b'), 42.5)).toBeGreaterThan(7500);
    expect(attentionWidth(model('llama-3.1-70b'), 42.5)).toBeLessThan(9000);
    // gpt-oss states fewer active parameters than its attention holds: the grouped-query floor.
    expect(attentionWidth(model('gpt-oss-20b'), 13.8, 'mxfp4')).toBeGreaterThanOrEqual(4096);
  });

  it('sliding-window layers attend over their window only; hybrid models only in full-attention layers', () => {
    const gemma = model('gemma-3-27b');
    const full = { ...gemma, attention: { kind: 'full' as const } };
    expect(attendedTokens(gemma, 65536)).toBeLessThan(attendedTokens(full, 65536) / 3);
    const next = model('qwen3-next-80b-a3b');
    expect(attendedTokens(next, 1000)).toBeLessThan(next.layers * 1000);
  });

  it('a prompt deep in the context runs slower, by the attention it adds', () => {
    const shallow = prefillTokensPerSec(prompt('llama-3.1-8b', 4.9, 0), params);
    const deep = prefillTokensPerSec(prompt('llama-3.1-8b', 4.9, 32768), params);
    expect(deep).toBeLessThan(shallow * 0.75);
    expect(attentionFlopsPerToken(prompt('llama-3.1-8b', 4.9, 32768))).toBeGreaterThan(
      attentionFlopsPerToken(prompt('llama-3.1-8b', 4.9, 0)) * 50,
    );
  });

  it('a 32k-token prompt on an RTX 3090 lands near the measured 1471 tok/s (llama.cpp PR #17505)', () => {
    const tps = prefillTokensPerSec(prompt('llama-3.1-8b', 4.66, 32768), params);
    expect(tps).toBeGreaterThan(1471 * 0.8);
    expect(tps).toBeLessThan(1471 * 1.25);
  });

  it('the fit recovers the attention factor that made a series of deep runs', () => {
    const rocm = { backend: 'rocm' as const, fp16Tflops: 100, bandwidthGBs: 320 };
    const at = (depth: number): PrefillInput => ({ ...prompt('llama-3.1-8b', 4.9, depth), device: rocm });
    const truth = { ...params, attentionFactor: { rocm: 0.4 } };
    const pairs: PrefillPair[] = [8192, 16384, 32768].map((d) => ({
      shallow: at(0),
      deep: at(d),
      measuredRatio: prefillTokensPerSec(at(d), truth) / prefillTokensPerSec(at(0), truth),
    }));
    expect(fitAttentionFactor(pairs, [], params).rocm).toBeCloseTo(0.4, 2);
  });
});

describe('a workflow without a prompt', () => {
  it('is paced as a full micro-batch, never as a 1-token prompt that reads the whole file', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'training' });
    const chat = verdict({ model: 'llama-3.1-8b', workflow: 'chat' });
    const gpu = (x: typeof v) => x.devices.find((d) => d.id === 'rtx-5090')!;
    // Image, video and training carry 0 prompt tokens; their prefill is a 512-token micro-batch's.
    expect(gpu(v).prefillTokensPerSec!).toBeGreaterThan(0.5 * gpu(chat).prefillTokensPerSec!);
  });
});

describe('a prompt over several cards (layer split)', () => {
  it('pipelines a batch of micro-batches: m micro-batches over k cards take m + k - 1 stages of 1/k', () => {
    expect(pipelineSpeedup(1, 4096, 512)).toBe(1);
    // One micro-batch: the cards take turns.
    expect(pipelineSpeedup(2, 512, 512)).toBe(1);
    // Four micro-batches a batch (n_batch 2048): 8/5 on two cards, 16/7 on four, 32/11 on eight.
    expect(pipelineSpeedup(2, 4096, 512)).toBeCloseTo(1.6, 9);
    expect(pipelineSpeedup(4, 4096, 512)).toBeCloseTo(16 / 7, 9);
    expect(pipelineSpeedup(8, 8192, 512)).toBeCloseTo(32 / 11, 9);
    // Two micro-batches: 4/3 on two cards.
    expect(pipelineSpeedup(2, 1024, 512)).toBeCloseTo(4 / 3, 9);
    // A 2048-token micro-batch is a batch of one: nothing to overlap.
    expect(pipelineSpeedup(4, 8192, 2048)).toBe(1);
  });

  it('two RTX 4090s read a 4096-token Llama 3 8B prompt 1.6x as fast as one, as XiongjieDai measured (8422 vs 5266)', () => {
    const on = (gpus: number, promptTokens: number): PrefillInput => ({
      ...prompt('llama-3.1-8b', 4.92, 0, promptTokens),
      device: { backend: 'cuda', fp16Tflops: 330, bandwidthGBs: 1008, gpus },
    });
    const one = prefillTokensPerSec(on(1, 4096), params);
    expect(prefillTokensPerSec(on(2, 4096), params) / one).toBeCloseTo(1.6, 6);
    expect(prefillTokensPerSec(on(2, 512), params)).toBeCloseTo(prefillTokensPerSec(on(1, 512), params), 6);
  });

  it('does not pipeline with layers in host RAM (llama.cpp turns it off with partial offload)', () => {
    const offloaded = (gpus: number): PrefillInput => ({
      ...prompt('llama-3.1-70b', 42.5, 0, 4096),
      device: { ...rtx3090, gpus },
      placement: { hostLayerGB: 10 },
    });
    expect(prefillTokensPerSec(offloaded(2), params)).toBeCloseTo(prefillTokensPerSec(offloaded(1), params), 6);
  });
});

describe('a prompt without FlashAttention', () => {
  const rtx4090 = { backend: 'cuda' as const, fp16Tflops: 330.3, bandwidthGBs: 1008 };
  const at = (promptTokens: number, flashAttention?: boolean): PrefillInput => ({
    ...prompt('llama-3.1-8b', 16.06, 0, promptTokens),
    device: rtx4090,
    family: 'float',
    ...(flashAttention !== undefined ? { flashAttention } : {}),
  });

  it('writes out its scores: Llama 3 8B costs 32 heads x 32 layers x 20 bytes a score', () => {
    // A 512-token prompt in one micro-batch: every token scores the whole 512-token cache (mean 512).
    const near = (x: number, y: number) => expect(Math.abs(x / y - 1)).toBeLessThan(0.01);
    near(materializedScoreBytesPerToken(at(512, false), 512), 32 * 32 * 512 * MATERIALIZED_SCORE_BYTES);
    // An 8192-token prompt: the cache a micro-batch sees grows to 8192 (mean 4352).
    near(materializedScoreBytesPerToken(at(8192, false), 512), 32 * 32 * 4352 * MATERIALIZED_SCORE_BYTES);
  });

  it('slows a long prompt as XiongjieDai measured on an RTX 4090 in May 2024 (F16 8B: pp8192 at 0.51 of pp512)', () => {
    const ratio = prefillTokensPerSec(at(8192, false), params) / prefillTokensPerSec(at(512, false), params);
    expect(ratio).toBeGreaterThan(0.51 * 0.85);
    expect(ratio).toBeLessThan(0.51 * 1.15);
    // With FlashAttention the same prompt keeps far more of its pace.
    expect(prefillTokensPerSec(at(8192), params) / prefillTokensPerSec(at(512), params)).toBeGreaterThan(0.75);
  });

  it("is on unless said: absent, the current builds' default", () => {
    expect(prefillTokensPerSec(at(8192), params)).toBe(prefillTokensPerSec(at(8192, true), params));
    expect(prefillTokensPerSec(at(8192, false), params)).toBeLessThan(prefillTokensPerSec(at(8192), params));
  });

  it('an MLX file never writes its scores (its attention is fused)', () => {
    const mlx: PrefillInput = {
      ...at(8192, false),
      device: { backend: 'metal', fp16Tflops: 34, bandwidthGBs: 546 },
      family: 'mlx',
    };
    expect(prefillTokensPerSec(mlx, params)).toBe(prefillTokensPerSec({ ...mlx, flashAttention: true }, params));
  });
});
