import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateMemory } from '../../../src/core/physics/memory.js';
import {
  decodeParamsFor,
  decodeTokensPerSec,
  paramsForBuild,
  prefillTokensPerSec,
  streamedWeightsGB,
  type SpeedParams,
} from '../../../src/core/physics/speed.js';
import { appleGenerationOf } from '../../../src/core/catalog/specs.js';
import { catalog, device, model, quant } from '../../helpers/catalog.js';

const params = catalog.calibration;

function decode(deviceId: string, modelId: string, quantId: string, depth = 0) {
  const d = device(deviceId);
  const m = model(modelId);
  const q = quant(quantId);
  const mem = estimateMemory(d, m, q, Math.max(4096, depth + 1024));
  return decodeTokensPerSec(
    {
      device: d,
      model: m,
      weightsGB: mem.weightsGB,
      family: q.family,
      depthTokens: depth,
      ...(mem.placement ? { placement: mem.placement } : {}),
    },
    params,
  );
}

describe('decode speed', () => {
  // Literal expectations: bands around public measurements (see README, Accuracy).
  it.each([
    ['rtx-5090', 'llama-3.1-8b', 'Q4_K_M', 150, 260],
    ['mac-studio-m4-max-128gb', 'llama-3.1-8b', 'Q4_K_M', 55, 90],
    ['rtx-4090', 'qwen2.5-32b', 'Q4_K_M', 30, 48],
    ['rtx-5090', 'qwen2.5-coder-32b', 'Q4_K_M', 50, 75],
    ['mac-studio-m4-max-128gb', 'llama-3.3-70b', 'Q4_K_M', 7.5, 12],
    ['2x-rtx-5090', 'llama-3.3-70b', 'Q4_K_M', 25, 40],
  ])('%s runs %s %s at %d-%d tok/s', (d, m, q, low, high) => {
    const tps = decode(d, m, q);
    expect(tps).toBeGreaterThan(low);
    expect(tps).toBeLessThan(high);
  });

  it("streams a 42.5 GB model on the Mac at about 10 tok/s, not the seed's 18 tok/s on a 5090", () => {
    expect(decode('mac-studio-m4-max-128gb', 'llama-3.1-70b', 'Q4_K_M')).toBeGreaterThan(8);
    expect(decode('rtx-5090', 'llama-3.1-70b', 'Q4_K_M')).toBeLessThan(8);
  });

  it('MoE reads only active parameters: gpt-oss-120b decodes faster than a dense 70B', () => {
    expect(decode('mac-studio-m4-max-128gb', 'gpt-oss-120b', 'MXFP4')).toBeGreaterThan(
      3 * decode('mac-studio-m4-max-128gb', 'llama-3.3-70b', 'Q4_K_M'),
    );
    const m = model('qwen3-30b-a3b');
    expect(streamedWeightsGB(m, 18)).toBeLessThan(3);
  });

  it('an MXFP4 gpt-oss token reads its 4.25-bit experts plus higher-precision attention', () => {
    const m = model('gpt-oss-120b');
    const proportional = (63.4 * m.activeParamsB) / m.paramsB;
    const streamed = streamedWeightsGB(m, 63.4, 'mxfp4');
    expect(streamed).toBeGreaterThan(proportional);
    // Its shapes: 4 of 128 experts at 4.25 bits (1.90 GB) and 1.55 B of attention, routers and
    // head at the file's other ~9.3 bits (1.80 GB); weights.test.ts works it out.
    expect(streamed).toBeGreaterThan(3.5);
    expect(streamed).toBeLessThan(3.9);
  });

  it('decode slows as the context fills', () => {
    expect(decode('rtx-5090', 'llama-3.1-8b', 'Q4_K_M', 32768)).toBeLessThan(
      0.8 * decode('rtx-5090', 'llama-3.1-8b', 'Q4_K_M', 0),
    );
  });

  it('offloaded layers run at host RAM speed', () => {
    const onGpu = decode('2x-rtx-5090', 'llama-3.1-70b', 'Q4_K_M');
    const offloaded = decode('rtx-5090', 'llama-3.1-70b', 'Q4_K_M');
    expect(offloaded).toBeLessThan(onGpu / 4);
  });

  it("an Apple device pays its generation's per-layer cost on current builds, and the earlier builds' cost on those", () => {
    const metal = params.decode.metal!;
    const withGenerations: SpeedParams = {
      ...params,
      decode: { ...params.decode, metal: { ...metal, perLayerMs: 0.13, perLayerMsByGeneration: { m1: 0.2, m4: 0.1 } } },
    };
    expect(decodeParamsFor(withGenerations, 'metal', 'k-quant', 'm1').perLayerMs).toBe(0.2);
    expect(decodeParamsFor(withGenerations, 'metal', 'k-quant', 'm4').perLayerMs).toBe(0.1);
    // A generation without runs of its own, or a device without one, pays the shared cost.
    expect(decodeParamsFor(withGenerations, 'metal', 'k-quant', 'm3').perLayerMs).toBe(0.13);
    expect(decodeParamsFor(withGenerations, 'metal', 'k-quant').perLayerMs).toBe(0.13);
    const earlier = paramsForBuild(withGenerations, 'metal', '2023-11', 'k-quant');
    expect(decodeParamsFor(earlier, 'metal', 'k-quant', 'm1').perLayerMs).toBe(metal.earlierBuildPerLayerMs);
    // The same chip streams the same bytes: only the fixed cost differs.
    const m = model('llama-3.1-8b');
    const x = { model: m, weightsGB: 4.9, family: 'k-quant' as const, depthTokens: 0 };
    const on = (generation?: string) =>
      decodeTokensPerSec(
        { ...x, device: { backend: 'metal', bandwidthGBs: 400, ...(generation ? { generation } : {}) } },
        withGenerations,
      );
    expect(on('m1')).toBeLessThan(on('m3'));
    expect(on('m3')).toBeLessThan(on('m4'));
  });

  it('reads the Apple generation from a device name or id', () => {
    expect(appleGenerationOf('Apple M2 Ultra (76-core GPU, 800 GB/s)')).toBe('m2');
    expect(appleGenerationOf('mac-studio-m4-max-128gb')).toBe('m4');
    expect(appleGenerationOf('MacBook Pro M1 Max')).toBe('m1');
    expect(appleGenerationOf('generic-mac-24gb')).toBeUndefined();
    expect(appleGenerationOf('Apple M10')).toBeUndefined();
    expect(appleGenerationOf('Apple M1Max')).toBe('m1');
    expect(device('mac-studio-m4-max-128gb').generation).toBe('m4');
    expect(device('rtx-5090').generation).toBeUndefined();
  });

  it('more bandwidth never makes decode slower', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 50, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        fc.constantFrom('llama-3.1-8b', 'qwen2.5-32b', 'gpt-oss-120b'),
        fc.constantFrom('cuda', 'metal', 'rocm'),
        (bw, extra, id, backend) => {
          const m = model(id);
          const base = { backend: backend as 'cuda', bandwidthGBs: bw, hostBandwidthGBs: 80 };
          const x = { model: m, weightsGB: 20, family: 'k-quant' as const, depthTokens: 1000, gpuShare: 0.8 };
          return (
            decodeTokensPerSec({ ...x, device: { ...base, bandwidthGBs: bw + extra } }, params) >=
            decodeTokensPerSec({ ...x, device: base }, params)
          );
        },
      ),
    );
  });
});

describe('prefill', () => {
  it('a MoE micro-batch streams the whole file: gpt-oss-120b on a 273 GB/s DGX Spark stays near 2k tok/s', () => {
    const p = prefillTokensPerSec(
      { device: device('dgx-spark'), model: model('gpt-oss-120b'), weightsGB: 63.4 },
      params,
    );
    expect(p).toBeGreaterThan(1000);
    expect(p).toBeLessThan(2500);
  });

  it("counts the blocks' matmuls: the input embedding is a lookup and the head runs for the last token only", () => {
    const m = model('llama-3.1-8b');
    // The same blocks without the two 0.525 B tables of a 128k vocabulary prefill at the same pace.
    const noTables = { ...m, paramsB: m.paramsB - 2 * m.embeddingParamsB, embeddingParamsB: 0 };
    const input = { device: device('rtx-4090'), weightsGB: 4.92, family: 'k-quant' as const, promptTokens: 512 };
    const withTables = prefillTokensPerSec({ ...input, model: m }, params);
    expect(withTables / prefillTokensPerSec({ ...input, model: noTables }, params)).toBeCloseTo(1, 3);
  });

  it('a prompt shorter than the step streams the weights once for its own tokens', () => {
    // Weights far too large for compute to matter: tokens/s follow the weights read per token.
    const input = {
      device: device('rtx-4090'),
      model: model('llama-3.1-8b'),
      weightsGB: 2000,
      family: 'float' as const,
    };
    const at = (promptTokens: number, microBatch?: number) =>
      prefillTokensPerSec({ ...input, promptTokens, ...(microBatch ? { microBatch } : {}) }, params);
    expect(at(128) / at(512)).toBeCloseTo(128 / 512, 2);
    // 3,000 tokens in 2,048-token steps: two reads of the weights, not 3000 / 2048 of one.
    expect(at(3000, 2048) / at(2048, 2048)).toBeCloseTo(3000 / 2 / 2048, 2);
  });

  it('is compute-bound: the 5090 leads the Mac by the widest margin here', () => {
    const m = model('qwen2.5-coder-32b');
    const p5090 = prefillTokensPerSec({ device: device('rtx-5090'), model: m, weightsGB: 20 }, params);
    const pMac = prefillTokensPerSec({ device: device('mac-studio-m4-max-128gb'), model: m, weightsGB: 20 }, params);
    expect(p5090 / pMac).toBeGreaterThan(5);
    expect(p5090 / pMac).toBeGreaterThan(
      decode('rtx-5090', 'qwen2.5-coder-32b', 'Q4_K_M') /
        decode('mac-studio-m4-max-128gb', 'qwen2.5-coder-32b', 'Q4_K_M'),
    );
  });
});

describe('MoE', () => {
  const stored = { ...params, decode: { cuda: { efficiency: 0.9, perLayerMs: 0.05, familyFactor: {} } } };
  const atLayers = (m: ReturnType<typeof model>) =>
    1 /
    decodeTokensPerSec(
      { device: device('rtx-4090'), model: m, weightsGB: 1e-9, family: 'float', depthTokens: 0 },
      stored,
    );

  it("a MoE layer's fixed cost is a dense layer's plus its routing kernels: Qwen3-30B-A3B pays 38/24 of 48 layers", () => {
    // With (almost) no bytes, what is left is the per-layer cost: 48 layers x 0.05 ms x (1 + 14/24).
    expect(atLayers(model('qwen3-30b-a3b')) * 1000).toBeCloseTo(48 * 0.05 * (38 / 24), 3);
    // A dense model of the same depth pays the dense cost alone.
    const dense = { ...model('qwen3-30b-a3b'), activeParamsB: 30.5, moe: undefined };
    expect(atLayers(dense) * 1000).toBeCloseTo(48 * 0.05, 3);
  });

  it('prefill of a MoE runs its expert GEMMs below dense efficiency: slower than its active parameters alone', () => {
    const m = model('qwen3-30b-a3b');
    const asDense = { ...m, paramsB: m.activeParamsB, moe: undefined };
    const input = { device: device('rtx-4090'), weightsGB: 1, promptTokens: 512 };
    const moe = prefillTokensPerSec({ ...input, model: m }, params);
    const dense = prefillTokensPerSec({ ...input, model: asDense }, params);
    expect(moe).toBeLessThan(dense);
    // The experts (~1.8B of 3.3B) at ~0.44 of dense efficiency: ~1.7x the compute time.
    expect(dense / moe).toBeGreaterThan(1.4);
    expect(dense / moe).toBeLessThan(2.2);
  });

  it('mlx-lm prefills in 2048-token steps: its experts see 4x the tokens of a 512-token llama.cpp micro-batch', () => {
    const m = model('qwen3-30b-a3b');
    const asDense = { ...m, paramsB: m.activeParamsB, moe: undefined };
    const mac = device('mac-studio-m4-max-128gb');
    const ratio = (family: 'mlx' | 'k-quant') => {
      const input = { device: mac, weightsGB: 1, family, promptTokens: 2048 };
      return (
        prefillTokensPerSec({ ...input, model: m }, params) / prefillTokensPerSec({ ...input, model: asDense }, params)
      );
    };
    expect(ratio('mlx')).toBeGreaterThan(ratio('k-quant'));
    expect(ratio('mlx')).toBeLessThan(1);
  });

  it('a 0-token prompt is no NaN for a MoE (its expert share would be 0/0)', () => {
    const input = { device: device('rtx-4090'), model: model('qwen3-30b-a3b'), weightsGB: 17, promptTokens: 0 };
    expect(Number.isFinite(prefillTokensPerSec(input, params))).toBe(true);
  });

  it("a micro-batch a run states (llama-bench -ub 2048) fills the experts as mlx-lm's steps do", () => {
    const m = model('qwen3-30b-a3b');
    const input = {
      device: device('rtx-4090'),
      model: m,
      weightsGB: 17,
      family: 'k-quant' as const,
      promptTokens: 2048,
    };
    const at512 = prefillTokensPerSec(input, params);
    expect(prefillTokensPerSec({ ...input, microBatch: 512 }, params)).toBeCloseTo(at512, 6);
    expect(prefillTokensPerSec({ ...input, microBatch: 2048 }, params)).toBeGreaterThan(at512);
  });
});
