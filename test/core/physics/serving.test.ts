/** The serving model: one batched decode step for B users, its memory, and its fit on measured runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSecondsPerToken, prefillTokensPerSec } from '../../../src/core/physics/speed.js';
import { kvCacheGB } from '../../../src/core/physics/memory.js';
import {
  ServingCalibrationSchema,
  fitServing,
  predictAggregate,
  servingFitOf,
  type ServingPoint,
} from '../../../src/core/physics/serving-fit.js';
import {
  batchStreamedWeightsGB,
  expertsTouchedShare,
  maxConcurrency,
  servingEstimate,
  servingKvGB,
  servingStepSeconds,
  type ServingFit,
  type ServingInput,
  type ServingRuntime,
} from '../../../src/core/physics/serving.js';
import { loadServingRuns } from '../../../scripts/serving-points.js';
import { catalog, device, model } from '../../helpers/catalog.js';

const root = join(import.meta.dirname, '..', '..', '..');
const speed = catalog.calibration;
const stored = ServingCalibrationSchema.parse(
  JSON.parse(readFileSync(join(root, 'data', 'serving-calibration.json'), 'utf8')),
);
const FIT = servingFitOf(stored);

function input(deviceId: string, modelId: string, weightsGB: number, runtime: ServingRuntime = 'llama.cpp') {
  return {
    device: device(deviceId),
    model: model(modelId),
    weightsGB,
    family: weightsGB > model(modelId).paramsB ? 'float' : 'k-quant',
    depthTokens: 1024,
    contextTokens: 4096,
    runtime,
  } satisfies ServingInput;
}

const aggregate = (i: ServingInput, B: number, fit: ServingFit = FIT) => B / servingStepSeconds(i, B, speed, fit);

describe('serving step', () => {
  it.each([
    ['rtx-5090', 'llama-3.1-8b', 4.92],
    ['mac-studio-m4-max-128gb', 'llama-3.3-70b', 42.5],
    ['dgx-spark', 'gpt-oss-120b', 63.4],
    ['rtx-4090', 'qwen3-30b-a3b', 18.56],
  ])('one user on %s running %s is the batch-1 decode (within 1%%)', (d, m, gb) => {
    const i = input(d, m, gb);
    const one = servingStepSeconds(i, 1, speed, FIT);
    expect(one / decodeSecondsPerToken(i, speed)).toBeCloseTo(1, 2);
    expect(servingEstimate(i, speed, FIT)[0]!.perUserTokensPerSec * decodeSecondsPerToken(i, speed)).toBeCloseTo(1, 2);
  });

  it('aggregate grows with the batch and saturates at the arithmetic limit', () => {
    const dense = input('rtx-4090', 'llama-3.1-8b', 16.07, 'vllm');
    for (const i of [dense, input('dgx-spark', 'qwen3-30b-a3b', 18.56)]) {
      const levels = [1, 2, 4, 8, 16, 32, 64, 128, 256];
      const agg = levels.map((B) => aggregate(i, B));
      for (let k = 1; k < agg.length; k++) expect(agg[k]!).toBeGreaterThan(agg[k - 1]!);
      // A dense model's doubling gains less each time; a MoE's dips while its batch still adds experts.
      if (i === dense)
        for (let k = 2; k < agg.length; k++) expect(agg[k]! / agg[k - 1]!).toBeLessThan(agg[k - 1]! / agg[k - 2]!);
      // With no context to read, no batch beats the FLOPs every token costs at the fitted share of the peak.
      const bare = { ...i, depthTokens: 0 };
      const limit =
        ((FIT.computeEfficiency[i.runtime] ?? 1) * i.device.fp16Tflops * 1e12) / (2 * i.model.activeParamsB * 1e9);
      expect(aggregate(bare, 4096)).toBeLessThan(limit);
      expect(aggregate(bare, 4096)).toBeGreaterThan(0.8 * limit);
      // With a context, every sequence's KV read is added to its FLOPs: lower still.
      expect(aggregate(i, 4096)).toBeLessThan(aggregate(bare, 4096));
    }
  });

  it('each user gets slower as users are added', () => {
    const i = input('rtx-5090', 'qwen2.5-14b', 8.99);
    const levels = servingEstimate(i, speed, FIT);
    for (let k = 1; k < levels.length; k++)
      expect(levels[k]!.perUserTokensPerSec).toBeLessThan(levels[k - 1]!.perUserTokensPerSec);
    for (const l of levels) {
      expect(l.aggregateTokensPerSec).toBeCloseTo(l.concurrency * l.perUserTokensPerSec, 6);
      expect(l.band.low).toBeLessThan(l.aggregateTokensPerSec);
      expect(l.band.high).toBeGreaterThan(l.aggregateTokensPerSec);
    }
    expect(levels.map((l) => l.concurrency)).toEqual([1, 4, 16, 64]);
  });

  it('more arithmetic throughput or more bandwidth never slows a batch', () => {
    const i = input('rtx-4090', 'llama-3.1-8b', 4.92);
    const faster = { ...i, device: { ...i.device, fp16Tflops: 2 * i.device.fp16Tflops } };
    const wider = { ...i, device: { ...i.device, bandwidthGBs: 2 * i.device.bandwidthGBs } };
    for (const B of [1, 4, 64]) {
      expect(aggregate(faster, B)).toBeGreaterThanOrEqual(aggregate(i, B));
      expect(aggregate(wider, B)).toBeGreaterThan(aggregate(i, B));
    }
    expect(aggregate(faster, 1)).toBeCloseTo(aggregate(i, 1), 9);
  });

  it('a MoE batch reads every expert its tokens route to: 1 - (1 - k/E)^B of them', () => {
    const qwen = model('qwen3-30b-a3b');
    expect(expertsTouchedShare(qwen, 1)).toBeCloseTo(8 / 128, 9);
    expect(expertsTouchedShare(qwen, 4)).toBeCloseTo(1 - (120 / 128) ** 4, 9);
    expect(expertsTouchedShare(qwen, 64)).toBeGreaterThan(0.98);
    const streamed = [1, 4, 16, 64].map((B) => batchStreamedWeightsGB(qwen, 18.56, 'k-quant', B));
    for (let k = 1; k < streamed.length; k++) expect(streamed[k]!).toBeGreaterThan(streamed[k - 1]!);
    expect(streamed[0]!).toBeLessThan(3);
    expect(streamed[3]!).toBeGreaterThan(16);
    expect(streamed[3]!).toBeLessThanOrEqual(18.56);
    // A dense model reads the same weights whatever the batch.
    const dense = model('llama-3.1-8b');
    expect(batchStreamedWeightsGB(dense, 4.92, 'k-quant', 64)).toBeCloseTo(
      batchStreamedWeightsGB(dense, 4.92, 'k-quant', 1),
      9,
    );
  });
});

describe('serving memory', () => {
  it('KV grows with the users, one context each', () => {
    const m = model('llama-3.1-8b');
    expect(servingKvGB(m, 8192, 16)).toBeCloseTo(16 * kvCacheGB(m, 8192), 9);
    const levels = servingEstimate(input('rtx-4090', 'llama-3.1-8b', 4.92), speed, FIT);
    for (let k = 1; k < levels.length; k++) expect(levels[k]!.kvGB).toBeGreaterThan(levels[k - 1]!.kvGB);
  });

  it('an RTX 4090 holds 16-bit Llama 3.1 8B and eight 8k-token users (1.07 GB of KV each), not nine', () => {
    const d = device('rtx-4090');
    const m = model('llama-3.1-8b');
    expect(kvCacheGB(m, 8192)).toBeCloseTo(1.074, 3);
    expect(maxConcurrency(d, m, 16.07, 8192)).toBe(8);
    expect(maxConcurrency(d, m, 30, 8192)).toBe(0);
    const levels = servingEstimate({ ...input('rtx-4090', 'llama-3.1-8b', 16.07), contextTokens: 8192 }, speed, FIT);
    expect(levels.map((l) => l.fits)).toEqual([true, true, false, false]);
  });
});

describe('serving fit', () => {
  const truth: ServingFit = {
    computeEfficiency: { 'llama.cpp': 0.3, vllm: 0.5 },
    streamFactor: { vllm: 1.2 },
    band: { low: 1, high: 1 },
  };
  const synthetic = (): ServingPoint[] =>
    (
      [
        ['rtx-4090', 'llama-3.1-8b', 16.07],
        ['dgx-spark', 'qwen2.5-14b', 15.7],
        ['h100-sxm', 'qwen2.5-7b', 15.24],
        ['rtx-5090', 'qwen3-30b-a3b', 18.56],
      ] as const
    ).flatMap(([d, m, gb]) =>
      (['llama.cpp', 'vllm'] as const).flatMap((runtime) =>
        [1, 4, 16, 64].map((concurrency) => {
          const point: ServingPoint = {
            label: `${d} ${m} ${runtime} ${concurrency}`,
            input: { ...input(d, m, gb, runtime), depthTokens: 600 },
            concurrency,
            workload:
              runtime === 'vllm'
                ? { kind: 'closed-loop', promptTokens: 256, genTokens: 128, prompts: concurrency }
                : { kind: 'decode' },
            aggregateTokensPerSec: 1,
          };
          return { ...point, aggregateTokensPerSec: predictAggregate(point, speed, truth) };
        }),
      ),
    );

  it('recovers the compute efficiencies and streaming factor that generated its points', () => {
    const { fit, residuals } = fitServing(synthetic(), speed);
    expect(fit.computeEfficiency['llama.cpp']).toBeGreaterThan(0.28);
    expect(fit.computeEfficiency['llama.cpp']).toBeLessThan(0.32);
    expect(fit.computeEfficiency.vllm).toBeGreaterThan(0.47);
    expect(fit.computeEfficiency.vllm).toBeLessThan(0.53);
    expect(fit.streamFactor.vllm).toBeGreaterThan(1.17);
    expect(fit.streamFactor.vllm).toBeLessThan(1.23);
    expect(fit.streamFactor['llama.cpp']).toBeUndefined();
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.03);
  });

  it('adds no streaming factor the runs do not ask for', () => {
    const points = synthetic().map((p) => ({
      ...p,
      aggregateTokensPerSec: predictAggregate(p, speed, { ...truth, streamFactor: {} }),
    }));
    expect(fitServing(points, speed).fit.streamFactor.vllm).toBeUndefined();
  });

  it('a closed loop spends part of its wall time on prompts, so it shows less than the bare steps', () => {
    const [point] = synthetic().filter((p) => p.input.runtime === 'vllm' && p.concurrency === 16);
    expect(predictAggregate(point!, speed, truth)).toBeLessThan(
      predictAggregate({ ...point!, workload: { kind: 'decode' } }, speed, truth),
    );
  });

  it("prefills a closed loop's prompts at the batch-1 prefill's physics for their length: long prompts cost more per token", () => {
    const [point] = synthetic().filter((p) => p.input.runtime === 'vllm' && p.concurrency === 16);
    // Seconds of wall time per prompt token, from the aggregate with and without the prompts.
    const perPromptToken = (promptTokens: number) => {
      const w = { kind: 'closed-loop', promptTokens, genTokens: 128, prompts: 16 } as const;
      const wall = (16 * 128) / predictAggregate({ ...point!, workload: w }, speed, truth);
      const steps = (16 * 128) / predictAggregate({ ...point!, workload: { kind: 'decode' } }, speed, truth);
      return (wall - steps) / (16 * promptTokens);
    };
    // A 16k-token prompt's tokens attend to 8k tokens on average: attention makes each dearer.
    expect(perPromptToken(16_384)).toBeGreaterThan(1.2 * perPromptToken(256));
    const prefill = prefillTokensPerSec(
      { ...point!.input, promptTokens: 16_384, depthTokens: 0, sequences: 16 },
      speed,
    );
    expect(perPromptToken(16_384)).toBeCloseTo(1 / prefill, 8);
  });

  it("a wave's short prompts share the micro-batch: 32 prompts of 16 tokens read the weights once, as one 512-token prompt", () => {
    const moe = { ...input('rtx-5090', 'qwen3-30b-a3b', 18.56, 'vllm'), depthTokens: 0 };
    const batched = prefillTokensPerSec({ ...moe, promptTokens: 16, sequences: 32 }, speed);
    const alone = prefillTokensPerSec({ ...moe, promptTokens: 16 }, speed);
    const one = prefillTokensPerSec({ ...moe, promptTokens: 512 }, speed);
    expect(batched / one).toBeGreaterThan(0.95);
    expect(batched / one).toBeLessThan(1.1);
    // Alone, each 16-token prompt streams the whole file for its own tokens.
    expect(alone).toBeLessThan(0.2 * batched);
  });

  it('keeps the fitted constants inside their physical bounds', () => {
    const bad = { ...stored, computeEfficiency: { vllm: 1.4 } };
    expect(() => ServingCalibrationSchema.parse(bad)).toThrow();
    expect(() => ServingCalibrationSchema.parse({ ...stored, streamFactor: { vllm: 3 } })).toThrow();
  });
});

describe('data/serving-calibration.json', () => {
  const { runs, skipped } = loadServingRuns(catalog);

  it('is what scripts/calibrate-serving.ts produces from data/serving-runs.csv', () => {
    const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
    expect(fitRuns.length).toBe(stored.points);
    const { fit } = fitServing(fitRuns, speed);
    for (const [runtime, eff] of Object.entries(fit.computeEfficiency))
      expect(stored.computeEfficiency[runtime as ServingRuntime]).toBeCloseTo(eff, 3);
    expect(runs.filter((r) => r.holdout).length).toBe(stored.residuals.holdoutPoints);
    expect(stored.residuals.holdoutPoints).toBeGreaterThanOrEqual(5);
  });

  it('skips the Vulkan cliff, the prompt-bound runs and FP8, each with its reason', () => {
    const why = (device: RegExp, B: number) =>
      skipped.find((s) => device.test(s.row.device) && s.row.concurrency === B)?.why;
    expect(why(/RTX 5090/, 12)).toMatch(/Vulkan/);
    expect(why(/RTX 5090/, 8)).toBeUndefined();
    expect(why(/M5 Pro/, 16)).toMatch(/prompt-bound/);
    expect(why(/B200/, 64)).toMatch(/FP8/);
    expect(why(/H100/, 64)).toMatch(/falls/);
    expect(runs.length + skipped.length).toBe(38);
  });

  it.each([
    [/RTX 4090/, 16, 644],
    [/DGX Spark/, 32, 593.27],
    [/A40/, 50, 529.88],
  ])('predicts the measured %s run at B=%d (%d tok/s) within 25%%', (d, B, measured) => {
    const run = runs.find((r) => d.test(r.row.device) && r.row.concurrency === B && r.row.aggregate_tps === measured);
    expect(run).toBeDefined();
    expect(predictAggregate(run!.point, speed, FIT) / measured).toBeGreaterThan(0.75);
    expect(predictAggregate(run!.point, speed, FIT) / measured).toBeLessThan(1.25);
  });
});

describe('serving on two GPUs', () => {
  it('vLLM splits each layer across both cards (tensor parallel), so two 5090s serve more than one; a layer split would not', async () => {
    const { compare } = await import('../../../src/core/verdict/compare.js');
    const { catalog } = await import('../../helpers/catalog.js');
    const v = compare(catalog, { model: 'llama-3.1-8b', workflow: 'serving', against: '2x-rtx-5090' });
    if (!v.ok) throw new Error(v.error.message);
    const at16 = (id: string) =>
      v.value.devices.find((d) => d.id === id)!.serving!.levels.find((l) => l.concurrency === 16)!
        .aggregateTokensPerSec;
    const one = at16('rtx-5090');
    const two = at16('2x-rtx-5090');
    expect(two).toBeGreaterThan(one * 1.4);
    expect(two).toBeLessThan(one * 2);
  });
});
