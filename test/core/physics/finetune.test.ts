/** The fine-tuning model: memory by method and run, training FLOPs and tokens per second, and its fit on measured runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  estimateFineTuneSpeed,
  fineTuneFlopsPerToken,
  fineTuneMemoryGB,
  fineTuneShapeOf,
  fineTuneStepTerms,
  fineTuneTokensPerSec,
  hoursPerEpoch,
  layerWidthOf,
  withBackendDefaults,
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
  qloraDequantBytes: 5,
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

describe("fine-tuning memory with the model's own shape", () => {
  // Qwen2.5-7B: 28 layers, 0.545B embedding (152k x 3,584), untied.
  const QWEN_7B = { layers: 28, embeddingParamsB: 0.545, tiedEmbeddings: false, seqLen: 4096, microBatch: 1 };

  it("holds the logits of the model's own vocabulary, its embedding over the hidden size the layers imply", () => {
    // 152,064 really; hidden from ~12 x layers x hidden^2 comes out 4,400 against 3,584 (a wide MLP).
    const shape = fineTuneShapeOf({ method: 'lora', paramsB: 7.62, ...QWEN_7B });
    expect(shape.vocab).toBeGreaterThan(0.75 * 152_064);
    expect(shape.vocab).toBeLessThan(1.25 * 152_064);
    expect(fineTuneShapeOf({ method: 'lora', paramsB: 7.62, ...QWEN_7B, vocab: 152_064 }).vocab).toBe(152_064);
    // 4,096 tokens x 16 bytes (PyTorch's fp32 loss) per entry: 152k against 32k holds 7.9 GB more; MLX a quarter.
    const gb = (vocab: number, backend: 'cuda' | 'metal' = 'cuda') =>
      fineTuneMemoryGB(7.62, 'lora', { ...QWEN_7B, vocab }, backend);
    expect(gb(152_064) - gb(32_000)).toBeCloseTo((16 * 120_064 * 4096) / 1e9, 6);
    expect(gb(152_064, 'metal') - gb(32_000, 'metal')).toBeCloseTo((4 * 120_064 * 4096) / 1e9, 6);
  });

  it('a fused or chunked loss (Unsloth, torchtune) holds no logits per token', () => {
    const held = fineTuneMemoryGB(7.62, 'qlora', { ...QWEN_7B, vocab: 152_064 });
    expect(held - fineTuneMemoryGB(7.62, 'qlora', { ...QWEN_7B, vocab: 152_064, fusedLoss: true })).toBeCloseTo(
      (16 * 152_064 * 4096) / 1e9,
      6,
    );
  });

  it('a 4-bit base keeps its embedding and output head in 16 bits', () => {
    const withHead = fineTuneMemoryGB(7.62, 'qlora', QWEN_7B);
    const tied = fineTuneMemoryGB(7.62, 'qlora', { ...QWEN_7B, tiedEmbeddings: true });
    // Untied: head and embedding at 2 bytes; tied: one table at 2 bytes, more linear parameters at 0.55.
    expect(withHead - tied).toBeGreaterThan(0.545 * (2 - 0.55) * 0.9);
  });

  it('on Metal holds the attention scores of every layer the backward reaches, growing with the square of the length', () => {
    const run = { layers: 28, embeddingParamsB: 0.156, tiedEmbeddings: true, microBatch: 1, checkpointing: false };
    const at = (seqLen: number, backend: 'metal' | 'cuda') =>
      fineTuneMemoryGB(0.6, 'lora', { ...run, seqLen }, backend);
    expect(at(4096, 'metal') - at(2048, 'metal')).toBeGreaterThan(3 * (at(2048, 'metal') - at(1024, 'metal')) * 0.9);
    // Adapters on every layer (the backward reaches all 28) hold more scores than mlx-lm's top 16.
    const all = fineTuneMemoryGB(0.6, 'lora', { ...run, seqLen: 4096, backwardShare: 1 }, 'metal');
    expect(all - at(4096, 'metal')).toBeGreaterThan(0.9 * 12 * (1024 / 128) * 4096 ** 2 * 2e-9);
  });
});

describe('fine-tuning speed', () => {
  it('estimates layers x hidden from the parameters: ~131k for Llama 2 7B (32 x 4,096)', () => {
    expect(layerWidthOf(6.74)).toBeGreaterThan(0.9 * 131_072);
    expect(layerWidthOf(6.74)).toBeLessThan(1.1 * 32 * 4160);
  });

  it('counts FLOPs per token: 6 (full) or 4 (LoRA) per matmul parameter, 2 more to recompute, plus causal attention', () => {
    const run = { ...LORA_8B, embeddingParamsB: 0.5, tiedEmbeddings: false };
    const matmul = 7.5e9; // the input embedding is a lookup
    const width = fineTuneShapeOf(run).layerWidth;
    // FlashAttention: 2 x width x seq forward (causal half), 2.5 times that backward, once more to recompute.
    const attention = (recompute: number) => (3.5 + recompute) * 2 * width * 2048;
    expect(fineTuneFlopsPerToken(run, false)).toBeCloseTo(4 * matmul + attention(0), -3);
    expect(fineTuneFlopsPerToken(run, true)).toBeCloseTo(6 * matmul + attention(1), -3);
    expect(fineTuneFlopsPerToken({ ...run, method: 'full' }, true)).toBeCloseTo(8 * matmul + attention(1), -3);
    // A tied head does the embedding's matmul: every parameter counts.
    expect(fineTuneFlopsPerToken({ ...run, tiedEmbeddings: true }, false)).toBeGreaterThan(
      fineTuneFlopsPerToken(run, false) + 1.9 * 0.5e9,
    );
  });

  it('materialized attention (MLX) computes the full score square, and LoRA on the top layers stops the backward there', () => {
    const fused = fineTuneFlopsPerToken(LORA_8B, false, 'fused');
    const materialized = fineTuneFlopsPerToken(LORA_8B, false, 'materialized');
    const width = fineTuneShapeOf(LORA_8B).layerWidth;
    // Both run the causal forward (2ws); FlashAttention's backward is 2.5 times it, MLX's unfused
    // backward recomputes the full square (2 x 2ws) and runs 4 matmuls on it (4 x 2ws): 2ws x (7 - 3.5).
    expect(materialized - fused).toBeCloseTo(3.5 * 2 * width * 2048, -3);
    const half = fineTuneFlopsPerToken({ ...LORA_8B, backwardShare: 0.5 }, false);
    const matmul = fineTuneShapeOf(LORA_8B).matmulParamsB * 1e9;
    expect(fused - half).toBeCloseTo(0.5 * (2 * matmul + 5 * width * 2048), -3);
    // Full fine-tuning trains every layer whatever the share says.
    const full = { ...LORA_8B, method: 'full' as const };
    expect(fineTuneFlopsPerToken({ ...full, backwardShare: 0.5 }, false)).toBe(fineTuneFlopsPerToken(full, false));
  });

  it('full fine-tuning is slower per token than LoRA, and QLoRA pays its dequantisation once per pass, not per token', () => {
    const lora = fineTuneTokensPerSec(LORA_8B, GPU, FIT);
    expect(fineTuneTokensPerSec({ ...LORA_8B, method: 'full' }, GPU, FIT)).toBeLessThan(lora);
    const step = (run: FineTuneRun) => (run.seqLen * run.microBatch) / fineTuneTokensPerSec(run, GPU, FIT);
    // Forward, recompute and backward each move 5 bytes per linear parameter at 1,008 GB/s.
    const passes = (3 * fineTuneShapeOf(LORA_8B).linearParamsB * 5) / 1008;
    expect(step({ ...LORA_8B, method: 'qlora' }) - step(LORA_8B)).toBeCloseTo(passes, 6);
    const long = { ...LORA_8B, seqLen: 8192 };
    expect(step({ ...long, method: 'qlora' }) - step(long)).toBeCloseTo(passes, 6);
  });

  it('tokens per second are proportional to TFLOPS when compute-bound, and still grow with an overhead', () => {
    const one = fineTuneTokensPerSec(LORA_8B, GPU, FIT);
    expect(fineTuneTokensPerSec(LORA_8B, { ...GPU, trainingTflops: 330 }, FIT)).toBeCloseTo(2 * one, 6);
    // Literal: 4,096 tokens x (~45 GFLOP of matmuls + attention) at 82.5 TFLOPS is ~1,700 tok/s.
    expect(one).toBeGreaterThan(1600);
    expect(one).toBeLessThan(1800);
    const slow = { ...FIT, overheadSec: { cuda: 0.002 } };
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

  it('on Metal the attention scores the backward materializes cost memory time, with the square of the length', () => {
    const mac: FineTuneDevice = { backend: 'metal', trainingTflops: 18, bandwidthGBs: 546 };
    const run = { ...LORA_8B, layers: 32, embeddingParamsB: 0.5, backwardShare: 1, microBatch: 1 };
    const traffic = (seqLen: number) => fineTuneStepTerms({ ...run, seqLen }, mac).scoreTrafficSec;
    expect(traffic(4096)).toBeCloseTo(4 * traffic(2048), 9);
    // 32 layers x (hidden / 128) heads x 2,048^2 scores x 20 bytes at 546 GB/s.
    const heads = fineTuneShapeOf(run).hidden / 128;
    expect(traffic(2048)).toBeCloseTo((32 * heads * 2048 ** 2 * 20) / 546e9, 6);
    expect(fineTuneStepTerms(run, GPU).scoreTrafficSec).toBe(0);
  });

  it("on Metal a LoRA run unsaid is mlx-lm's: adapters on the top 16 layers, the backward stopping there", () => {
    const run = { ...LORA_8B, layers: 32, checkpointing: undefined };
    expect(withBackendDefaults(run, 'metal')).toMatchObject({ backwardShare: 0.5, checkpointing: false });
    expect(withBackendDefaults(run, 'cuda')).toMatchObject({ backwardShare: 1, checkpointing: true });
    expect(withBackendDefaults({ ...run, method: 'full' }, 'metal').backwardShare).toBe(1);
    expect(withBackendDefaults({ ...run, backwardShare: 1 }, 'metal').backwardShare).toBe(1);
    const mac: FineTuneDevice = { backend: 'metal', trainingTflops: 18, bandwidthGBs: 546 };
    const fit = { ...FIT, efficiency: { metal: 0.5 }, overheadSec: { metal: 0 } };
    expect(fineTuneTokensPerSec(run, mac, fit)).toBeGreaterThan(
      1.3 * fineTuneTokensPerSec({ ...run, backwardShare: 1 }, mac, fit),
    );
  });

  it("a mixture of experts' tokens pass through its active parameters; its weights, dequantisation and memory are all of them", () => {
    // Qwen3-30B-A3B: 30.5B, 3.3B active, 48 layers, a 0.311B untied embedding.
    const moe: FineTuneRun = {
      method: 'qlora',
      paramsB: 30.5,
      activeParamsB: 3.3,
      layers: 48,
      embeddingParamsB: 0.311,
      seqLen: 2048,
      microBatch: 2,
      checkpointing: true,
    };
    const { activeParamsB: _, ...dense } = moe;
    const shape = fineTuneShapeOf(moe);
    expect(shape.matmulParamsB).toBeCloseTo(3.3 - 0.311, 6);
    expect(shape.linearParamsB).toBeCloseTo(30.5 - 2 * 0.311, 6);
    // Hidden from the active layers: 2,165 against its real 2,048 (the dense reading gives 7,200).
    expect(shape.hidden).toBeGreaterThan(1900);
    expect(shape.hidden).toBeLessThan(2400);
    expect(fineTuneFlopsPerToken(moe, true)).toBeLessThan(0.2 * fineTuneFlopsPerToken(dense, true));
    const terms = fineTuneStepTerms(moe, GPU);
    expect(terms.dequantSecPerByte).toBeCloseTo(fineTuneStepTerms(dense, GPU).dequantSecPerByte, 9);
    expect(fineTuneTokensPerSec(moe, GPU, FIT)).toBeGreaterThan(3 * fineTuneTokensPerSec(dense, GPU, FIT));
    // Memory holds every expert: within the activations' difference of the dense reading.
    expect(fineTuneMemoryGB(30.5, 'qlora', moe)).toBeGreaterThan(0.5 * 30.5 * 0.55);
  });

  it('the per-step overhead (kernel launches) grows with layers times the passes over them', () => {
    const run = { ...LORA_8B, layers: 32, embeddingParamsB: 0.5 };
    expect(fineTuneStepTerms(run, GPU).layerPasses).toBeCloseTo(32 * 3, 9);
    expect(fineTuneStepTerms({ ...run, checkpointing: false }, GPU).layerPasses).toBeCloseTo(32 * 2, 9);
    expect(fineTuneStepTerms({ ...run, layers: 80 }, GPU).layerPasses).toBeCloseTo(80 * 3, 9);
    const slow = { ...FIT, overheadSec: { cuda: 0.001 } };
    const step = (r: FineTuneRun, fit: FineTuneFit) => (r.seqLen * r.microBatch) / fineTuneTokensPerSec(r, GPU, fit);
    expect(step(run, slow) - step(run, FIT)).toBeCloseTo(0.096, 9);
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
  it('recovers the efficiency, overhead and QLoRA dequantisation traffic that generated its points', () => {
    const truth: FineTuneFit = {
      ...FIT,
      efficiency: { cuda: 0.42 },
      overheadSec: { cuda: 0.002 },
      qloraDequantBytes: 8,
    };
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
    expect(fit.overheadSec.cuda).toBeGreaterThan(0.0017);
    expect(fit.overheadSec.cuda).toBeLessThan(0.0023);
    expect(fit.qloraDequantBytes).toBeGreaterThan(7);
    expect(fit.qloraDequantBytes).toBeLessThan(9);
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.05);
  });

  it('chooses the QLoRA dequantisation on the CUDA and ROCm runs alone: Metal runs, which borrow their overhead, do not move it', () => {
    const truth: FineTuneFit = {
      ...FIT,
      efficiency: { cuda: 0.5 },
      overheadSec: { cuda: 0.003 },
      qloraDequantBytes: 6,
    };
    const point = (device: FineTuneDevice, run: FineTuneRun, scale = 1): FineTunePoint => ({
      label: `${device.backend} ${run.method} ${run.paramsB}B`,
      device,
      run,
      tokensPerSec: fineTuneTokensPerSec(run, device, truth) * scale,
    });
    const cuda = [1, 3, 8, 14].flatMap((paramsB) =>
      (['lora', 'qlora'] as const).flatMap((method) =>
        [512, 2048].map((seqLen) => point(GPU, { method, paramsB, seqLen, microBatch: 1 })),
      ),
    );
    const mac: FineTuneDevice = { backend: 'metal', trainingTflops: 18, bandwidthGBs: 546 };
    // Metal runs far off any single overhead: they would pull a jointly chosen dequantisation.
    const metal = [0.5, 8].map((paramsB, i) =>
      point(mac, { method: 'lora', paramsB, seqLen: 1024, microBatch: 1 }, [3, 0.3][i]),
    );
    const alone = fitFineTune(cuda).fit.qloraDequantBytes;
    expect(fitFineTune([...cuda, ...metal]).fit.qloraDequantBytes).toBe(alone);
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
    expect(stored.qloraDequantBytes).toBeCloseTo(fit.qloraDequantBytes, 2);
    // Held-out runs exist and the fit never saw them.
    expect(runs.filter((r) => r.holdout).length).toBeGreaterThanOrEqual(8);
  });

  it('skips SSD offload, image-model LoRA and rows without a sequence length, each with its reason', () => {
    const why = (model: RegExp) => skipped.filter((s) => model.test(s.row.model)).map((s) => s.why);
    expect(why(/Llama 3.1 8B Instruct/).every((w) => /SSD/.test(w))).toBe(true);
    expect(why(/FLUX|SDXL/)).toHaveLength(9);
    expect(why(/Qwen3.5-9B/)).toEqual(['sequence length or batch not stated']);
    expect(runs.length + skipped.length).toBe(62);
    expect(why(/^Llama 2 1?[37]B$/)).toEqual(Array(4).fill('sequence length or batch not stated'));
  });

  it('reads the A100-SXM4-80GB as the 80 GB A100 and the Qwen table per optimizer step of 8 sequences', () => {
    const qwen = runs.find((r) => r.row.model === 'Qwen-7B' && r.row.seq_len === '2048' && r.row.method === 'lora')!;
    expect(qwen.point.device.bandwidthGBs).toBe(2039);
    expect(qwen.point.tokensPerSec).toBeCloseTo((8 * 2048) / 5.2, 6);
  });
});
