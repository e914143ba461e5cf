import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/core/verdict/compare.js';
import {
  fineTuneMemoryGB,
  fineTuneShapeOf,
  fineTuneTokensPerSec,
  trainingTflops,
  type FineTuneRun,
} from '../../../src/core/physics/finetune.js';
import { DEFAULT_FINE_TUNE_RUN, trainingMemoryGB } from '../../../src/core/physics/evaluate.js';
import { estimateDiffusion } from '../../../src/core/physics/diffusion.js';
import { catalog, planned, verdict } from '../../helpers/catalog.js';

describe('image generation', () => {
  it('estimates SDXL with the diffusion model at the requested steps and size, naming the seed figure beside it', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'image', imageSteps: 30, imageResolution: 1024 });
    const sdxl = v.devices[0]!.images.find((i) => i.id.includes('sdxl'))!;
    const est = estimateDiffusion(
      catalog.generation('sdxl')!,
      catalog.media.find((m) => m.id === 'sdxl')!.paramsB.value,
      { steps: 30, width: 1024, height: 1024 },
      catalog.device('rtx-5090')!,
      catalog.diffusion,
    );
    expect(sdxl.basis).toBe('estimate');
    expect(sdxl.seconds).toBeCloseTo(est.seconds, 6);
    expect(sdxl.secondsPerImage).toEqual(est.band);
    expect(sdxl.basisNote).toMatch(
      /diffusion model .* fitted on \d+ measured runs.*; the seed reports 12\.5 it\/s at 512px/,
    );
    // Twice the steps, twice the time.
    const twice = verdict({ model: 'llama-3.1-8b', workflow: 'image', imageSteps: 60, imageResolution: 1024 });
    expect(twice.devices[0]!.images.find((i) => i.id.includes('sdxl'))!.seconds).toBeCloseTo(2 * est.seconds, 6);
    expect(v.verdict.winner).toBe('rtx-5090');
  });

  it("estimates a device without its own figure from its backend's reference, and says so", () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'image', device: 'rtx-4090' });
    const sdxl = v.devices[0]!.images[0]!;
    expect(sdxl.basis).toBe('estimate');
    expect(sdxl.secondsPerImage).not.toBeNull();
  });
});

describe('fine-tuning', () => {
  it.each([
    [8, 'qlora', 7.3],
    [8, 'lora', 21.2],
    [8, 'full', 155.6],
  ] as const)('%dB with %s needs ~%d GB', (p, method, gb) => {
    expect(fineTuneMemoryGB(p, method)).toBeCloseTo(gb, 0);
  });

  it('full fine-tuning an 8B model fits neither machine; QLoRA fits both, and MLX has no full fine-tune path', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    const [gpu, mac] = v.devices;
    expect(gpu!.fineTune.find((f) => f.method === 'full')!.fits).toBe(false);
    expect(gpu!.fineTune.find((f) => f.method === 'qlora')!.fits).toBe(true);
    expect(mac!.fineTune.find((f) => f.method === 'qlora')!).toMatchObject({ fits: true, supported: true });
    expect(mac!.fineTune.find((f) => f.method === 'full')!.supported).toBe(false);
  });
});

describe('a fine-tuning verdict speaks of fine-tuning', () => {
  it('its headline names the methods that fit each machine with its tooling and hours per epoch, never inference speed', () => {
    const v = verdict({ model: 'llama-3.3-70b', workflow: 'fine-tune' });
    expect(v.verdict.headline).toMatch(
      /^Fine-tuning Llama 3\.3 70B \(10M-token dataset\): M4 Max 128GB: QLoRA \(~48\.6 GB, ~\d+ h an epoch\) with mlx-lm LoRA on a 4-bit model; RTX 5090: no method fits; full fine-tuning needs ~1143 GB\.$/,
    );
    const small = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    expect(small.verdict.headline).toMatch(
      /^Fine-tuning Llama 3\.1 8B \(10M-token dataset\): RTX 5090: QLoRA \(~8\.1 GB, ~[\d.]+ h an epoch\), LoRA \(~18\.2 GB, ~[\d.]+ h an epoch\) with /,
    );
    expect(small.verdict.headline).not.toMatch(/tok\/s|faster/);
  });
});

describe('fine-tuning a mixture of experts', () => {
  it('runs its tokens through the active parameters: a 30B-A3B trains well faster than a dense 32B', () => {
    const qlora = (model: string) =>
      verdict({ model, workflow: 'fine-tune' }).devices[0]!.fineTune.find((f) => f.method === 'qlora')!;
    const moe = qlora('qwen3-30b-a3b');
    const dense = qlora('qwen3-32b');
    expect(moe.tokensPerSec! / dense.tokensPerSec!).toBeGreaterThan(2);
  });
});

describe('fine-tuning gpt-oss, whose stated active count leaves out the input embedding', () => {
  it('runs a token through the 3.61 B its card states (attention, 4 routed experts, head), as if stated with the embedding', () => {
    const m = catalog.model('gpt-oss-20b')!;
    const gpu = catalog.device('rtx-5090')!;
    // The same model as most publishers count it: 3.6 + 0.579 B of input embedding.
    const stated: FineTuneRun = {
      method: 'qlora',
      paramsB: m.paramsB,
      activeParamsB: m.activeParamsB + m.embeddingParamsB,
      ...DEFAULT_FINE_TUNE_RUN,
      layers: m.layers,
      embeddingParamsB: m.embeddingParamsB,
      tiedEmbeddings: m.tiedEmbeddings,
      headDim: m.headDim,
    };
    expect(fineTuneShapeOf(stated).matmulParamsB).toBeCloseTo(3.6, 2);
    const expected = fineTuneTokensPerSec(
      stated,
      { backend: gpu.backend, trainingTflops: trainingTflops(gpu), bandwidthGBs: gpu.bandwidthGBs },
      catalog.fineTune,
    );
    const qlora = verdict({ model: 'gpt-oss-20b', workflow: 'fine-tune' }).devices[0]!.fineTune.find(
      (f) => f.method === 'qlora',
    )!;
    expect(qlora.tokensPerSec!).toBeCloseTo(expected, 3);
    expect(trainingMemoryGB(gpu, m, 'qlora')).toBeCloseTo(
      fineTuneMemoryGB(m.paramsB, 'qlora', { ...stated, fusedLoss: true }, 'cuda'),
      6,
    );
  });
});

describe('image verdicts against a device without a public image figure', () => {
  it('answer instead of crashing', () => {
    const r = compare(catalog, { workflow: 'image', against: 'ryzen-ai-max-395-128gb' });
    expect(r.ok).toBe(true);
    // No public figure for the Ryzen: the diffusion model still gives one, and says it is an estimate.
    if (r.ok)
      expect(r.value.verdict.reasons.join(' ')).toMatch(/makes a .* image in ~.* \(estimate: the diffusion model/);
  });
});

describe('fine-tuning memory, for the verdict and the planner alike', () => {
  const llama8b = catalog.model('llama-3.1-8b')!;
  it('on CUDA follows the run: longer sequences hold more, the fused loss holds no logits', () => {
    const run = { seqLen: 2048, microBatch: 2, gradAccum: 4 };
    const shape = { layers: llama8b.layers, embeddingParamsB: llama8b.embeddingParamsB, headDim: llama8b.headDim };
    const held = fineTuneMemoryGB(llama8b.paramsB, 'lora', { ...run, ...shape, fusedLoss: false }, 'cuda');
    const fused = fineTuneMemoryGB(llama8b.paramsB, 'lora', { ...run, ...shape, fusedLoss: true }, 'cuda');
    expect(held - fused).toBeGreaterThan(1);
    expect(trainingMemoryGB({ backend: 'cuda' }, llama8b, 'lora', run)).toBeLessThan(held);
    const short = trainingMemoryGB({ backend: 'cuda' }, llama8b, 'lora', { seqLen: 512, microBatch: 2, gradAccum: 4 });
    const long = trainingMemoryGB({ backend: 'cuda' }, llama8b, 'lora', { seqLen: 8192, microBatch: 2, gradAccum: 4 });
    expect(long).toBeGreaterThan(short);
    expect(trainingMemoryGB({ backend: 'cuda' }, llama8b, 'qlora')).toBeLessThan(
      trainingMemoryGB({ backend: 'cuda' }, llama8b, 'lora'),
    );
  });
  it('elsewhere keeps the rule of thumb (no measured peak checks mlx-lm or ROCm at 2,048-token sequences)', () => {
    for (const backend of ['metal', 'rocm'] as const)
      expect(trainingMemoryGB({ backend }, llama8b, 'qlora')).toBe(fineTuneMemoryGB(llama8b.paramsB, 'qlora'));
  });
  it('and the budget it is held against is the same for both: every GPU of a 2x RTX 5090', () => {
    const plan = planned({ devices: ['2x-rtx-5090'], workflow: 'fine-tune', limit: 25 }).devices[0]!.picks;
    const v = verdict({ model: 'llama-3.3-70b', workflow: 'fine-tune', device: '2x-rtx-5090' });
    const qlora = v.devices.find((d) => d.id === '2x-rtx-5090')!.fineTune.find((f) => f.method === 'qlora')!;
    expect(qlora.fits).toBe(true);
    expect(plan.some((p) => p.model.id === 'llama-3.3-70b')).toBe(true);
  });
  it('is the figure the verdict shows', () => {
    const v = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    const cuda = v.devices.find((d) => d.backend === 'cuda')!;
    expect(cuda.fineTune.find((f) => f.method === 'lora')!.memoryGB).toBeCloseTo(
      trainingMemoryGB({ backend: 'cuda' }, llama8b, 'lora'),
      6,
    );
  });
});
