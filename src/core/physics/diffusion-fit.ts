/**
 * Fitting the diffusion speed model on measured runs: per backend, the efficiency and per-pass
 * overhead that minimize the squared log error of seconds per step; one UNet token share for all.
 * A grid search (the model has three kinds of parameter and a few hundred points at most), so the
 * fit is deterministic and needs no starting guess.
 */
import { fitBackends } from './fit-backends.js';
import type { Generation } from '../catalog/generation-schema.js';
import type { Backend } from '../catalog/schema.js';
import { quantile } from './calibration-fit.js';
import { secondsPerStep, type DiffusionDevice, type DiffusionFit, type DiffusionRun } from './diffusion.js';

export interface DiffusionPoint {
  label: string;
  device: DiffusionDevice;
  generation: Generation;
  paramsB: number;
  run: DiffusionRun;
  /** Measured seconds per denoising step. */
  secondsPerStep: number;
  /**
   * Weight in the fit (default 1). Rows of one source share its method and its runtime, so their
   * errors are not independent; the loader gives each of a source's n rows 1/sqrt(n), so a
   * benchmark table of many cards counts for more than one run but does not outvote every other
   * source.
   */
  weight?: number;
}

/** Backends with fewer points than this borrow the overhead of the best-covered backend and fit efficiency only. */
const MIN_POINTS_FOR_OVERHEAD = 8;

const grid = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const EFFICIENCIES = grid(0.01, 1, 80);
const OVERHEADS = [0, ...grid(0.0005, 0.2, 40)];
/**
 * A UNet's share of its latent tokens is bounded by its architecture, so that the fit cannot make
 * it absorb a runtime's slowness. Counted from the UNet configs (a transformer block of width C
 * costs ~18 C^2 multiply-adds per token plus attention; a ResNet block two 3x3 convolutions):
 * SD 1.5 at 512 px ~0.3 T multiply-adds per pass over 4096 tokens x 0.86 B parameters (share
 * ~0.09), SDXL at 1024 px ~3 T over 16384 tokens x 2.56 B (share ~0.07). The bound leaves room
 * on both sides of those estimates.
 */
const SHARES = grid(0.05, 0.15, 12);

const logError = (p: DiffusionPoint, fit: DiffusionFit) =>
  Math.log(secondsPerStep(p.generation, p.paramsB, p.run, p.device, fit) / p.secondsPerStep);

function sse(points: DiffusionPoint[], fit: DiffusionFit): number {
  let s = 0;
  for (const p of points) s += (p.weight ?? 1) * logError(p, fit) ** 2;
  return s;
}

function fitBackend(points: DiffusionPoint[], base: DiffusionFit, backend: Backend, overheads: number[]) {
  let best = { eff: 0.3, overhead: 0, err: Infinity };
  for (const overhead of overheads)
    for (const eff of EFFICIENCIES) {
      const fit = {
        ...base,
        efficiency: { ...base.efficiency, [backend]: eff },
        overheadSec: { ...base.overheadSec, [backend]: overhead },
      };
      const err = sse(points, fit);
      if (err < best.err) best = { eff, overhead, err };
    }
  return best;
}

/** A runtime with at least this many fit runs gets its own per-step overhead. */
const MIN_POINTS_FOR_RUNTIME = 4;
/** Labels that name no one piece of software ("other", a model's own repository): never a runtime of their own. */
const NOT_A_RUNTIME = /^(other|official-repo|unknown|)$/i;

/**
 * Per backend, efficiency and overhead on every run; then the runtimes measured often enough get
 * their own overhead, and the backends' efficiencies are fitted again around them (twice), their
 * overhead held at the first pass's: that figure, fitted on every runtime together, is what a run of
 * an unnamed runtime (and every verdict) pays, and it must not come to rest on the few runs left
 * without a runtime of their own.
 */
function fitWithShare(points: DiffusionPoint[], share: number): { fit: DiffusionFit; err: number } {
  const start: DiffusionFit = { efficiency: {}, overheadSec: {}, unetTokenShare: share, band: { low: 1, high: 1 } };
  const first = fitBackends(points, start, fitBackend, OVERHEADS, MIN_POINTS_FOR_OVERHEAD);
  const byRuntime = new Map<string, DiffusionPoint[]>();
  for (const p of points)
    if (p.run.runtime !== undefined && !NOT_A_RUNTIME.test(p.run.runtime))
      byRuntime.set(p.run.runtime, [...(byRuntime.get(p.run.runtime) ?? []), p]);
  const own = [...byRuntime].filter(([, ps]) => ps.length >= MIN_POINTS_FOR_RUNTIME);
  if (own.length === 0) return first;
  let fit = first.fit;
  for (let round = 0; round < 2; round++) {
    const runtimeOverheadSec: Record<string, number> = {};
    for (const [runtime, ps] of own) {
      let pick = { overhead: 0, err: Infinity };
      for (const overhead of OVERHEADS) {
        const err = sse(ps, { ...fit, runtimeOverheadSec: { ...runtimeOverheadSec, [runtime]: overhead } });
        if (err < pick.err) pick = { overhead, err };
      }
      runtimeOverheadSec[runtime] = pick.overhead;
    }
    fit = { ...fit, runtimeOverheadSec };
    const byBackend = new Map<Backend, DiffusionPoint[]>();
    for (const p of points) byBackend.set(p.device.backend, [...(byBackend.get(p.device.backend) ?? []), p]);
    for (const [backend, ps] of byBackend) {
      const b = fitBackend(ps, fit, backend, [first.fit.overheadSec[backend] ?? 0]);
      fit = { ...fit, efficiency: { ...fit.efficiency, [backend]: b.eff } };
    }
  }
  return { fit, err: sse(points, fit) };
}

export interface DiffusionResidual {
  point: DiffusionPoint;
  predicted: number;
  /** predicted / measured - 1 */
  error: number;
}

/** The fit, its band (the 10th and 90th percentile of measured / predicted), and every residual. */
export function fitDiffusion(points: DiffusionPoint[]): { fit: DiffusionFit; residuals: DiffusionResidual[] } {
  if (points.length === 0) throw new Error('fitDiffusion: no points');
  const hasUnet = points.some((p) => p.generation.denoiser === 'unet');
  let best = fitWithShare(points, 0.1);
  if (hasUnet)
    for (const share of SHARES) {
      const f = fitWithShare(points, share);
      if (f.err < best.err) best = f;
    }
  const residuals = residualsOf(points, best.fit);
  const ratios = residuals.map((r) => 1 / (1 + r.error));
  const fit = {
    ...best.fit,
    band: { low: Math.min(1, quantile(ratios, 0.1)), high: Math.max(1, quantile(ratios, 0.9)) },
  };
  return { fit, residuals };
}

export function residualsOf(points: DiffusionPoint[], fit: DiffusionFit): DiffusionResidual[] {
  return points.map((point) => {
    const predicted = secondsPerStep(point.generation, point.paramsB, point.run, point.device, fit);
    return { point, predicted, error: predicted / point.secondsPerStep - 1 };
  });
}
