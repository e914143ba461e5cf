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

  it('FLOPs per pass: 2 per parameter per token, plus attention quadratic in tokens', () => {
    const linear = 2 * 12e9 * 4096;
    const attention = 4 * 57 * 3072 * 4096 * 4096;
    expect(flopsPerPass(FLUX, 12, 4096, FIT)).toBe(linear + attention);
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
    expect(fit.efficiency.cuda).toBeGreaterThan(0.37);
    expect(fit.efficiency.cuda).toBeLessThan(0.43);
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.06);
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
    // Held-out runs exist and the fit never saw them.
    expect(runs.filter((r) => r.holdout).length).toBeGreaterThanOrEqual(10);
  });
});
