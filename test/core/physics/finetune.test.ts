/** The fine-tuning model: memory by method and run, training FLOPs and tokens per second, and its fit on measured runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  estimateFineTuneSpeed,
  fineTuneFlopsPerToken,
  fineTuneMemoryGB,
  fineTuneTokensPerSec,
  hoursPerEpoch,
  layerWidthOf,
  trainingTflops,
  type FineTuneDevice,
  type FineTuneFit,
  type FineTuneRun,
} from '../../../src/core/physics/finetune.js';
import { FineTuneCalibrationSchema, fitFineTune, type FineTunePoint } from '../../../src/core/physics/finetune-fit.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { loadFineTuneRuns } from '../../../scripts/finetune-points.js';

const root = join(import.meta.dirname, '..', '..', '..');

const FIT: FineTuneFit = {
  efficiency: { cuda: 0.5 },
  overheadSec: { cuda: 0 },
  qloraDequant: 0.3,
  band: { low: 0.8, high: 1.25 },
};
const GPU: FineTuneDevice = { backend: 'cuda', trainingTflops: 165, bandwidthGBs: 1008 };
const LORA_8B: FineTuneRun = { method: 'lora', paramsB: 8, seqLen: 2048, microBatch: 2, checkpointing: true };

describe('fine-tuning memory', () => {
  it('without a run keeps the rule of thumb: weights by method, +20%, +2 GB', () => {
    expect(fineTuneMemoryGB(7, 'qlora')).toBeCloseTo(7 * 0.55 * 1.2 + 2, 6);
    expect(fineTuneMemoryGB(7, 'lora')).toBeCloseTo(7 * 2 * 1.2 + 2, 6);
    expect(fineTuneMemoryGB(7, 'full')).toBeCloseTo(7 * 16 * 1.2 + 2, 6);
  });

  it('QLoRA of an 8B fits a 16 GB card where LoRA and full fine-tuning do not, with or without a run', () => {
    const run = { seqLen: 1024, microBatch: 1, checkpointing: true };
    for (const r of [undefined, run]) {
      expect(fineTuneMemoryGB(8, 'qlora', r)).toBeLessThan(16);
      expect(fineTuneMemoryGB(8, 'lora', r)).toBeGreaterThan(16);
      expect(fineTuneMemoryGB(8, 'full', r)).toBeGreaterThan(fineTuneMemoryGB(8, 'lora', r));
    }
  });

  it('activations grow with sequence length and batch, and checkpointing keeps fewer of them', () => {
    const base = { seqLen: 2048, microBatch: 1, checkpointing: true };
    const gb = fineTuneMemoryGB(8, 'lora', base);
    expect(fineTuneMemoryGB(8, 'lora', { ...base, seqLen: 4096 })).toBeGreaterThan(gb);
    expect(fineTuneMemoryGB(8, 'lora', { ...base, microBatch: 4 })).toBeGreaterThan(gb);
    expect(fineTuneMemoryGB(8, 'lora', { ...base, checkpointing: false })).toBeGreaterThan(gb);
    // Twice the tokens add exactly the activations of the first 2,048 again.
    const weights = fineTuneMemoryGB(8, 'lora', { ...base, seqLen: 0 });
    expect(fineTuneMemoryGB(8, 'lora', { ...base, seqLen: 4096 }) - weights).toBeCloseTo(2 * (gb - weights), 6);
  });
});

describe('fine-tuning speed', () => {
  it('estimates layers x hidden from the parameters: ~131k for Llama 2 7B (32 x 4,096)', () => {
    expect(layerWidthOf(6.74)).toBeGreaterThan(0.9 * 131_072);
    expect(layerWidthOf(6.74)).toBeLessThan(1.1 * 32 * 4160);
  });

  it('counts FLOPs per token: 6 (full) or 4 (LoRA) per parameter, 2 more to recompute, plus causal attention', () => {
    const attention = (recompute: number) => (3 + recompute) * 2 * layerWidthOf(8) * 2048;
    expect(fineTuneFlopsPerToken(LORA_8B, false)).toBeCloseTo(4 * 8e9 + attention(0), -3);
    expect(fineTuneFlopsPerToken(LORA_8B, true)).toBeCloseTo(6 * 8e9 + attention(1), -3);
    expect(fineTuneFlopsPerToken({ ...LORA_8B, method: 'full' }, true)).toBeCloseTo(8 * 8e9 + attention(1), -3);
  });

  it('full fine-tuning is slower per token than LoRA, and QLoRA pays its dequantisation', () => {
    const lora = fineTuneTokensPerSec(LORA_8B, GPU, FIT);
    expect(fineTuneTokensPerSec({ ...LORA_8B, method: 'full' }, GPU, FIT)).toBeLessThan(lora);
    expect(fineTuneTokensPerSec({ ...LORA_8B, method: 'qlora' }, GPU, FIT)).toBeCloseTo(lora / 1.3, 6);
  });

  it('tokens per second are proportional to TFLOPS when compute-bound, and still grow with an overhead', () => {
    const one = fineTuneTokensPerSec(LORA_8B, GPU, FIT);
    expect(fineTuneTokensPerSec(LORA_8B, { ...GPU, trainingTflops: 330 }, FIT)).toBeCloseTo(2 * one, 6);
    // Literal: 4,096 tokens x (48 GFLOP + attention) at 82.5 TFLOPS is ~1,600 tok/s.
    expect(one).toBeGreaterThan(1500);
    expect(one).toBeLessThan(1700);
    const slow = { ...FIT, overheadSec: { cuda: 0.2 } };
    const a = fineTuneTokensPerSec(LORA_8B, GPU, slow);
    const b = fineTuneTokensPerSec(LORA_8B, { ...GPU, trainingTflops: 330 }, slow);
    expect(b).toBeGreaterThan(a);
    expect(b).toBeLessThan(2 * a);
  });

  it('recomputing the forward (gradient checkpointing) costs time; the default is on for CUDA, off for Metal', () => {
    expect(fineTuneTokensPerSec({ ...LORA_8B, checkpointing: false }, GPU, FIT)).toBeGreaterThan(
      fineTuneTokensPerSec(LORA_8B, GPU, FIT),
    );
    const { checkpointing: _, ...unsaid } = LORA_8B;
    expect(estimateFineTuneSpeed(unsaid, GPU, FIT).checkpointing).toBe(true);
    expect(estimateFineTuneSpeed(unsaid, { ...GPU, backend: 'metal' }, FIT).checkpointing).toBe(false);
  });

  it('bf16 training runs GeForce cards at their FP32-accumulate (half) rate, other cards at full rate', () => {
    expect(trainingTflops({ name: 'NVIDIA GeForce RTX 4090', backend: 'cuda', fp16Tflops: 330.3 })).toBeCloseTo(
      165.15,
      6,
    );
    expect(trainingTflops({ name: 'NVIDIA RTX A6000', backend: 'cuda', fp16Tflops: 154.8 })).toBe(154.8);
    expect(trainingTflops({ name: 'Apple M4 Max', backend: 'metal', fp16Tflops: 34 })).toBe(34);
  });

  it('hours per epoch: 36M tokens at 1,000 tok/s take 10 hours', () => {
    expect(hoursPerEpoch(36e6, 1000)).toBe(10);
    expect(hoursPerEpoch(36e6, 2000)).toBe(5);
    expect(() => hoursPerEpoch(1e6, 0)).toThrow(RangeError);
  });

  it('the band and the optimizer step: full fine-tuning pays AdamW once per optimizer step, spread over its micro-steps', () => {
    const full = { ...LORA_8B, method: 'full' as const };
    const e = estimateFineTuneSpeed(full, GPU, FIT);
    expect(e.band).toEqual({ low: e.tokensPerSec * 0.8, high: e.tokensPerSec * 1.25 });
    expect(fineTuneTokensPerSec({ ...full, gradAccum: 8 }, GPU, FIT)).toBeGreaterThan(e.tokensPerSec);
    expect(estimateFineTuneSpeed({ ...full, gradAccum: 8 }, GPU, FIT).secondsPerStep).toBeGreaterThan(e.secondsPerStep);
  });
});

describe('fitting the fine-tuning model', () => {
  it('recovers the efficiency, overhead and QLoRA factor that generated its points', () => {
    const truth: FineTuneFit = { ...FIT, efficiency: { cuda: 0.42 }, overheadSec: { cuda: 0.05 }, qloraDequant: 0.35 };
    const points: FineTunePoint[] = [];
    for (const trainingTflops of [40, 82, 165, 312])
      for (const paramsB of [0.5, 3, 8, 14])
        for (const method of ['full', 'lora', 'qlora'] as const)
          for (const seqLen of [512, 4096]) {
            const device = { ...GPU, trainingTflops };
            const run: FineTuneRun = { method, paramsB, seqLen, microBatch: 1, checkpointing: true };
            points.push({
              label: `${method} ${paramsB}B`,
              device,
              run,
              tokensPerSec: fineTuneTokensPerSec(run, device, truth),
            });
          }
    const { fit, residuals } = fitFineTune(points);
    expect(fit.efficiency.cuda).toBeGreaterThan(0.39);
    expect(fit.efficiency.cuda).toBeLessThan(0.45);
    expect(fit.overheadSec.cuda).toBeGreaterThan(0.04);
    expect(fit.overheadSec.cuda).toBeLessThan(0.06);
    expect(fit.qloraDequant).toBeCloseTo(0.35, 2);
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.05);
  });
});

describe('data/finetune-calibration.json', () => {
  const { runs, skipped } = loadFineTuneRuns(loadCatalog());

  it('is what scripts/calibrate-finetune.ts produces from data/finetune-runs.csv', () => {
    const stored = FineTuneCalibrationSchema.parse(
      JSON.parse(readFileSync(join(root, 'data', 'finetune-calibration.json'), 'utf8')),
    );
    const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
    expect(fitRuns.length).toBe(stored.points);
    const { fit } = fitFineTune(fitRuns);
    for (const [backend, eff] of Object.entries(fit.efficiency))
      expect(stored.efficiency[backend as 'cuda']).toBeCloseTo(eff, 3);
    expect(stored.qloraDequant).toBeCloseTo(fit.qloraDequant, 3);
    // Held-out runs exist and the fit never saw them.
    expect(runs.filter((r) => r.holdout).length).toBeGreaterThanOrEqual(8);
  });

  it('skips SSD offload, image-model LoRA and rows without a sequence length, each with its reason', () => {
    const why = (model: RegExp) => skipped.filter((s) => model.test(s.row.model)).map((s) => s.why);
    expect(why(/Llama 3.1 8B Instruct/).every((w) => /SSD/.test(w))).toBe(true);
    expect(why(/FLUX|SDXL/)).toHaveLength(9);
    expect(why(/Qwen3.5-9B/)).toEqual(['sequence length or batch not stated']);
    expect(runs.length + skipped.length).toBe(42);
  });

  it('reads the A100-SXM4-80GB as the 80 GB A100 and the Qwen table per optimizer step of 8 sequences', () => {
    const qwen = runs.find((r) => r.row.model === 'Qwen-7B' && r.row.seq_len === '2048' && r.row.method === 'lora')!;
    expect(qwen.point.device.bandwidthGBs).toBe(2039);
    expect(qwen.point.tokensPerSec).toBeCloseTo((8 * 2048) / 5.2, 6);
  });
});
