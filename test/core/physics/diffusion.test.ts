/** The diffusion speed model: tokens, FLOPs and seconds from a denoiser's shape, and its fit on measured runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Generation } from '../../../src/core/catalog/generation-schema.js';
import { DiffusionCalibrationSchema } from '../../../src/core/catalog/generation-schema.js';
import {
  estimateDiffusion,
  flopsPerPass,
  latentTokens,
  secondsPerStep,
  weightsPerToken,
  type DiffusionFit,
} from '../../../src/core/physics/diffusion.js';
import { fitDiffusion, type DiffusionPoint } from '../../../src/core/physics/diffusion-fit.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { loadMediaRuns } from '../../../scripts/diffusion-points.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** FLUX.1 [dev] as its config has it: 19 + 38 blocks of 3072, 8x VAE, 2x2 patches, guidance distilled. */
const FLUX: Generation = {
  model: 'flux-1-dev',
  denoiser: 'transformer',
  layers: 57,
  hidden: 3072,
  vaeSpatial: 8,
  vaeTemporal: 1,
  patch: 2,
  passesPerStep: 1,
  defaultSteps: 28,
  width: 1024,
  height: 1024,
  source: 'test',
};
/** Wan 2.1 T2V 1.3B: 30 blocks of 1536, 8x spatial and 4x temporal VAE, 2x2 patches, CFG. */
const WAN: Generation = {
  ...FLUX,
  model: 'wan-2.1-t2v-1.3b',
  layers: 30,
  hidden: 1536,
  vaeTemporal: 4,
  passesPerStep: 2,
  defaultSteps: 50,
  width: 832,
  height: 480,
  frames: 81,
};
const FIT: DiffusionFit = {
  efficiency: { cuda: 0.5, metal: 0.5 },
  overheadSec: { cuda: 0, metal: 0 },
  unetTokenShare: 0.2,
  band: { low: 0.8, high: 1.25 },
};

describe('diffusion physics', () => {
  it('counts the latent tokens a denoiser sees: 64 x 64 for a 1024 px FLUX image, 21 x 30 x 52 for an 81-frame 480p Wan clip', () => {
    expect(latentTokens(FLUX, { width: 1024, height: 1024 })).toBe(4096);
    expect(latentTokens(WAN, { width: 832, height: 480, frames: 81 })).toBe(21 * 30 * 52);
  });

  it('a FLUX image token meets 57 blocks x 12 x 3072^2 = 6.5 B weights, not all 12 B parameters', () => {
    expect(weightsPerToken(FLUX, 12)).toBe(57 * 12 * 3072 * 3072);
    expect(weightsPerToken(FLUX, 12) / 1e9).toBeCloseTo(6.46, 2);
    // A model with fewer parameters than 12 h^2 per block (a narrower MLP) is capped at its parameters.
    expect(weightsPerToken(FLUX, 2)).toBe(2e9);
  });

  it('FLOPs per pass: 2 per weight per token, plus attention quadratic in tokens', () => {
    const linear = 2 * 57 * 12 * 3072 * 3072 * 4096;
    const attention = 4 * 57 * 3072 * 4096 * 4096;
    expect(flopsPerPass(FLUX, 12, 4096, FIT)).toBe(linear + attention);
    // About 65 TFLOP for a 1024 px FLUX.1 step, which an RTX 4090 measured at 0.59 s (~110 TFLOPS, below
    // its 165 TFLOPS with FP32 accumulate); the old count (all 12 B parameters) said 110 TFLOP.
    expect(flopsPerPass(FLUX, 12, 4096, FIT) / 1e12).toBeGreaterThan(60);
    expect(flopsPerPass(FLUX, 12, 4096, FIT) / 1e12).toBeLessThan(70);
    // A UNet sees a share of its latent tokens and has no separate attention term.
    const unet = { ...FLUX, denoiser: 'unet' as const };
    expect(flopsPerPass(unet, 0.86, 4096, FIT)).toBeCloseTo(2 * 0.86e9 * 4096 * 0.2, 0);
    // Video is attention-bound: at 32,760 tokens attention costs twice the 1.3B parameters' linear work.
    const tokens = 21 * 30 * 52;
    expect(4 * 30 * 1536 * tokens * tokens).toBeGreaterThan(2 * 2 * 1.3e9 * tokens);
  });

  it('seconds scale with steps and passes, and inversely with throughput', () => {
    const device = { backend: 'cuda' as const, fp16Tflops: 200 };
    const run = { steps: 28, width: 1024, height: 1024 };
    const one = estimateDiffusion(FLUX, 12, run, device, FIT);
    expect(one.seconds).toBeCloseTo((28 * flopsPerPass(FLUX, 12, 4096, FIT)) / (200e12 * 0.5), 6);
    expect(estimateDiffusion(FLUX, 12, { ...run, steps: 56 }, device, FIT).seconds).toBeCloseTo(2 * one.seconds, 6);
    expect(estimateDiffusion({ ...FLUX, passesPerStep: 2 }, 12, run, device, FIT).seconds).toBeCloseTo(
      2 * one.seconds,
      6,
    );
    expect(estimateDiffusion(FLUX, 12, run, { ...device, fp16Tflops: 400 }, FIT).seconds).toBeCloseTo(
      one.seconds / 2,
      6,
    );
    expect(one.band).toEqual({ low: one.seconds * 0.8, high: one.seconds * 1.25 });
  });

  it('is slower with more steps, pixels or frames and faster with more TFLOPS, whatever the fit', () => {
    const device = { backend: 'cuda' as const, fp16Tflops: 100 };
    const at = (run: { steps: number; width: number; height: number; frames?: number }, tflops = 100) =>
      estimateDiffusion(WAN, 1.3, run, { ...device, fp16Tflops: tflops }, FIT).seconds;
    const base = { steps: 20, width: 832, height: 480, frames: 33 };
    expect(at({ ...base, steps: 21 })).toBeGreaterThan(at(base));
    expect(at({ ...base, width: 1280, height: 720 })).toBeGreaterThan(at(base));
    expect(at({ ...base, frames: 81 })).toBeGreaterThan(at(base));
    expect(at(base, 200)).toBeLessThan(at(base));
    // The per-pass overhead is a floor that more TFLOPS cannot remove.
    const floor: DiffusionFit = { ...FIT, overheadSec: { cuda: 0.01 } };
    const tiny = estimateDiffusion(
      FLUX,
      12,
      { steps: 1, width: 64, height: 64 },
      { ...device, fp16Tflops: 1e6 },
      floor,
    );
    expect(tiny.secondsPerStep).toBeGreaterThanOrEqual(0.01);
  });

  it('the fit recovers the efficiency and overhead that generated its points', () => {
    const truth: DiffusionFit = { ...FIT, efficiency: { cuda: 0.4 }, overheadSec: { cuda: 0.02 } };
    const points: DiffusionPoint[] = [];
    for (const fp16Tflops of [50, 150, 330, 900])
      for (const width of [512, 768, 1024])
        for (const g of [FLUX, WAN]) {
          const run = { steps: 20, width, height: width, ...(g.frames ? { frames: 17 } : {}) };
          const device = { backend: 'cuda' as const, fp16Tflops };
          points.push({
            label: `${g.model} ${width}`,
            device,
            generation: g,
            paramsB: g === FLUX ? 12 : 1.3,
            run,
            secondsPerStep: secondsPerStep(g, g === FLUX ? 12 : 1.3, run, device, truth),
          });
        }
    const { fit, residuals } = fitDiffusion(points);
    // Weights change how much a point counts, not what exact points say.
    const weighted = fitDiffusion(points.map((p, i) => ({ ...p, weight: i % 2 ? 0.3 : 1 }))).fit;
    expect(weighted.efficiency.cuda).toBeCloseTo(fit.efficiency.cuda!, 6);
    expect(fit.efficiency.cuda).toBeGreaterThan(0.37);
    expect(fit.efficiency.cuda).toBeLessThan(0.43);
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.06);
  });
});

describe('a runtime measured often enough pays its own time per step', () => {
  const run = { steps: 20, width: 512, height: 512 };
  const device = { backend: 'cuda' as const, fp16Tflops: 150 };
  const withRuntimes: DiffusionFit = { ...FIT, overheadSec: { cuda: 0.03 }, runtimeOverheadSec: { A1111: 0.06 } };

  it("a run of that runtime pays its overhead, another or an unknown runtime the backend's", () => {
    const compute = secondsPerStep(FLUX, 12, run, device, FIT);
    expect(secondsPerStep(FLUX, 12, { ...run, runtime: 'A1111' }, device, withRuntimes)).toBeCloseTo(compute + 0.06, 9);
    expect(secondsPerStep(FLUX, 12, { ...run, runtime: 'ComfyUI' }, device, withRuntimes)).toBeCloseTo(
      compute + 0.03,
      9,
    );
    expect(secondsPerStep(FLUX, 12, run, device, withRuntimes)).toBeCloseTo(compute + 0.03, 9);
  });

  it("the fit recovers two runtimes' overheads from the points they generated", () => {
    const truth: DiffusionFit = {
      ...FIT,
      efficiency: { cuda: 0.4 },
      overheadSec: { cuda: 0.01 },
      runtimeOverheadSec: { slow: 0.08 },
    };
    const points: DiffusionPoint[] = [];
    for (const fp16Tflops of [50, 150, 330, 900])
      for (const width of [256, 512, 1024])
        for (const runtime of ['slow', 'lean']) {
          const r = { steps: 20, width, height: width, runtime };
          const d = { backend: 'cuda' as const, fp16Tflops };
          points.push({
            label: `${runtime} ${width}`,
            device: d,
            generation: FLUX,
            paramsB: 12,
            run: r,
            secondsPerStep: secondsPerStep(FLUX, 12, r, d, truth),
          });
        }
    const { fit } = fitDiffusion(points);
    expect(fit.runtimeOverheadSec?.slow).toBeGreaterThan(0.06);
    expect(fit.runtimeOverheadSec?.slow).toBeLessThan(0.1);
    expect(fit.runtimeOverheadSec?.lean).toBeLessThan(0.02);
    // What an unnamed runtime pays is fitted on every run, so it lies between the two.
    expect(fit.overheadSec.cuda).toBeGreaterThan(0.02);
    expect(fit.overheadSec.cuda).toBeLessThan(0.07);
    expect(fit.efficiency.cuda).toBeGreaterThan(0.37);
    expect(fit.efficiency.cuda).toBeLessThan(0.43);
  });
});

describe('data/diffusion-calibration.json', () => {
  it('is what npm run calibrate produces from data/media-runs.csv', () => {
    const stored = DiffusionCalibrationSchema.parse(
      JSON.parse(readFileSync(join(root, 'data', 'diffusion-calibration.json'), 'utf8')),
    );
    const { runs } = loadMediaRuns(loadCatalog());
    const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
    expect(fitRuns.length).toBe(stored.points);
    const { fit } = fitDiffusion(fitRuns);
    for (const [backend, eff] of Object.entries(fit.efficiency))
      expect(stored.efficiency[backend as 'cuda']).toBeCloseTo(eff, 3);
    expect(stored.unetTokenShare).toBeCloseTo(fit.unetTokenShare, 3);
    for (const [backend, overhead] of Object.entries(fit.overheadSec))
      expect(stored.overheadSec[backend as 'cuda']).toBeCloseTo(overhead, 4);
    for (const [runtime, overhead] of Object.entries(fit.runtimeOverheadSec ?? {}))
      expect(stored.runtimeOverheadSec?.[runtime]).toBeCloseTo(overhead, 4);
    // Held-out runs exist and the fit never saw them.
    expect(runs.filter((r) => r.holdout).length).toBeGreaterThanOrEqual(10);
    // An efficiency at the bound (all of the chip's FP16 rate) would mean the FLOPs or the chip's
    // figure are wrong, as the Metal fit was when FLUX's FLOPs counted all 12 B parameters per token.
    for (const eff of Object.values(stored.efficiency)) {
      expect(eff).toBeGreaterThan(0.05);
      expect(eff).toBeLessThan(0.95);
    }
  });
});
