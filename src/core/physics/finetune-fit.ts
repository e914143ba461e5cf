/**
 * Fitting the fine-tuning speed model on measured runs: per backend, the efficiency and the overhead
 * per layer and pass, and one QLoRA dequantisation traffic for all, that minimize the squared log
 * error of tokens per second. A grid search over physically bounded values (efficiency 5-90% of the
 * tensor rate, overhead 0-5 ms per layer and pass: up to a few hundred kernels at PyTorch's ~5-25 µs
 * of dispatch each, 2.5-25 bytes moved per 4-bit parameter per pass: at least the 0.5 read and
 * 2 written, at most a kernel at a tenth of the bandwidth), so the fit is deterministic and needs no
 * starting guess. Also the schema of data/finetune-calibration.json, which stores the fit.
 */
import { fitBackends } from './fit-backends.js';
import { z } from 'zod';
import { BackendSchema, type Backend } from '../catalog/schema.js';
import { median, quantile } from './calibration-fit.js';
import {
  fineTuneStepTerms,
  fineTuneTokensPerSec,
  secondsOfStep,
  UNFITTED_FINETUNE,
  type FineTuneDevice,
  type FineTuneStepTerms,
  type FineTuneFit,
  type FineTuneRun,
} from './finetune.js';

export interface FineTunePoint {
  label: string;
  device: FineTuneDevice;
  run: FineTuneRun;
  /** Measured training tokens per second. */
  tokensPerSec: number;
}

/** Backends with fewer points than this borrow the overhead of the best-covered backend and fit efficiency only. */
const MIN_POINTS_FOR_OVERHEAD = 6;

const grid = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const EFFICIENCIES = grid(0.05, 0.9, 70);
const OVERHEADS = [0, ...grid(0.00002, 0.005, 50)];
const DEQUANT_BYTES = grid(2.5, 25, 31);

// A point's terms do not depend on the fit: worked out once per point, the grid only rescales them.
const terms = new WeakMap<FineTunePoint, FineTuneStepTerms>();
function termsOf(p: FineTunePoint): FineTuneStepTerms {
  let t = terms.get(p);
  if (!t) terms.set(p, (t = fineTuneStepTerms(p.run, p.device)));
  return t;
}

const logError = (p: FineTunePoint, fit: FineTuneFit) =>
  Math.log((p.run.seqLen * p.run.microBatch) / secondsOfStep(termsOf(p), p.device.backend, fit) / p.tokensPerSec);

function sse(points: FineTunePoint[], fit: FineTuneFit): number {
  let s = 0;
  for (const p of points) s += logError(p, fit) ** 2;
  return s;
}

function fitBackend(points: FineTunePoint[], base: FineTuneFit, backend: Backend, overheads: number[]) {
  let best = { eff: 0.35, overhead: 0, err: Infinity };
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

function fitWithDequant(points: FineTunePoint[], qloraDequantBytes: number): { fit: FineTuneFit; err: number } {
  const start: FineTuneFit = { efficiency: {}, overheadSec: {}, qloraDequantBytes, band: { low: 1, high: 1 } };
  return fitBackends(points, start, fitBackend, OVERHEADS, MIN_POINTS_FOR_OVERHEAD);
}

export interface FineTuneResidual {
  point: FineTunePoint;
  predicted: number;
  /** predicted / measured - 1 (tokens per second) */
  error: number;
}

/** The fit, its band (the 10th and 90th percentile of measured / predicted), and every residual. */
export function fitFineTune(points: FineTunePoint[]): { fit: FineTuneFit; residuals: FineTuneResidual[] } {
  if (points.length === 0) throw new Error('fitFineTune: no points');
  // The dequantisation is bitsandbytes' (CUDA, ROCm): chosen on the runs of those stacks alone, so
  // that a backend borrowing their overhead (Metal, with few runs) does not steer it.
  const dequantizing = points.filter((p) => p.device.backend !== 'metal');
  const hasQlora = dequantizing.some((p) => p.run.method === 'qlora');
  const withErr = (d: number) => {
    const { fit } = fitWithDequant(points, d);
    return { fit, err: sse(dequantizing, fit) };
  };
  let best = withErr(UNFITTED_FINETUNE.qloraDequantBytes);
  if (hasQlora)
    for (const d of DEQUANT_BYTES) {
      const f = withErr(d);
      if (f.err < best.err) best = f;
    }
  const residuals = fineTuneResidualsOf(points, best.fit);
  const ratios = residuals.map((r) => 1 / (1 + r.error));
  const fit = {
    ...best.fit,
    band: { low: Math.min(1, quantile(ratios, 0.1)), high: Math.max(1, quantile(ratios, 0.9)) },
  };
  return { fit, residuals };
}

export function fineTuneResidualsOf(points: FineTunePoint[], fit: FineTuneFit): FineTuneResidual[] {
  return points.map((point) => {
    const predicted = fineTuneTokensPerSec(point.run, point.device, fit);
    return { point, predicted, error: predicted / point.tokensPerSec - 1 };
  });
}

/** Median |error| and the share within 25%, or nulls when there are no residuals. */
export function fineTuneErrorSummary(rs: FineTuneResidual[]): { medianAbs: number | null; within25: number | null } {
  if (rs.length === 0) return { medianAbs: null, within25: null };
  const abs = rs.map((r) => Math.abs(r.error));
  return { medianAbs: median(abs), within25: abs.filter((e) => e <= 0.25).length / abs.length };
}

const byBackend = z.partialRecord(BackendSchema, z.number().nonnegative());
const share = z.number().min(0).max(1).nullable();

/** data/finetune-calibration.json: the fine-tuning speed model's fit, written by scripts/calibrate-finetune.ts. */
export const FineTuneCalibrationSchema = z.object({
  fittedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  points: z.number().int().nonnegative(),
  efficiency: byBackend,
  overheadSec: byBackend,
  /** Bytes moved per 4-bit parameter each pass that dequantizes it. */
  qloraDequantBytes: z.number().positive(),
  band: z.object({ low: z.number().positive(), high: z.number().positive() }),
  /** Median absolute error of tokens per second, in-sample and on the held-out runs. */
  medianError: z.object({ fit: z.number().nonnegative(), holdout: z.number().nonnegative().nullable() }),
  /** Share of runs predicted within 25%, in-sample and held out. */
  within25: z.object({ fit: share, holdout: share }),
});
export type FineTuneCalibration = z.infer<typeof FineTuneCalibrationSchema>;

/** The model's parameters from a stored calibration. */
export const fineTuneFitOf = (c: FineTuneCalibration): FineTuneFit => ({
  efficiency: c.efficiency,
  overheadSec: c.overheadSec,
  qloraDequantBytes: c.qloraDequantBytes,
  band: c.band,
});
