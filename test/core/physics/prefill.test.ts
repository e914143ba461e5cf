import { describe, expect, it } from 'vitest';
import { fitAttentionFactor, type PrefillPair } from '../../../src/core/physics/calibration-fit.js';
import { attentionFlopsPerToken, prefillTokensPerSec, type PrefillInput } from '../../../src/core/physics/speed.js';
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
