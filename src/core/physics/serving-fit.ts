/**
 * Fitting the serving model on measured concurrent runs: per runtime, the compute efficiency (and a
 * streaming factor, when the runtime's runs call for one) that minimize the squared log error of the
 * aggregate tok/s. A grid search over the physical bounds: few parameters and a few dozen points, so
 * the fit is deterministic and needs no starting guess.
 *
 * A run measures either the decode steps alone (llama-batched-bench's S_TG, or 1 / TPOT) or a closed
 * loop's output tokens over its wall time, which also holds every request's prompt; the prompts are
 * prefilled at the batch-1 prefill fit's speed for their length, batched together (`sequences`), so
 * a serving run's prefill share is not blamed on the step.
 */
import { z } from 'zod';
import type { SpeedParams } from './speed.js';
import { prefillTokensPerSec } from './speed.js';
import { quantile } from './calibration-fit.js';
import {
  COMPUTE_EFFICIENCY_BOUNDS,
  SERVING_RUNTIMES,
  STREAM_FACTOR_BOUNDS,
  servingStepSeconds,
  type ServingFit,
  type ServingRuntime,
  type ServingStepInput,
} from './serving.js';

// The model and its fit leave the core through one line of src/core/index.ts.
export * from './serving.js';

export type ServingWorkload =
  /** The time of the decode steps alone. */
  | { kind: 'decode' }
  /**
   * Output tokens over the wall time of `prompts` requests of `promptTokens` each, served
   * `genTokens` decode steps at the run's concurrency.
   */
  | { kind: 'closed-loop'; promptTokens: number; genTokens: number; prompts: number };

export interface ServingPoint {
  label: string;
  input: ServingStepInput;
  /** Sequences decoding together (a mean, when requests of one wave end at different times). */
  concurrency: number;
  workload: ServingWorkload;
  /** Measured output tokens per second, all users together. */
  aggregateTokensPerSec: number;
}

/** The aggregate tok/s the model predicts for the point's run. */
export function predictAggregate(point: ServingPoint, speed: SpeedParams, fit: ServingFit): number {
  const B = point.concurrency;
  const step = servingStepSeconds(point.input, B, speed, fit);
  const w = point.workload;
  if (w.kind === 'decode') return B / step;
  // The wave's prompts at the batch-1 prefill's physics for their length (attention, the MoE fill,
  // a short prompt's weight reads), prefilled together as a server batches them.
  const prefill = prefillTokensPerSec(
    {
      device: point.input.device,
      model: point.input.model,
      weightsGB: point.input.weightsGB,
      family: point.input.family,
      promptTokens: w.promptTokens,
      sequences: w.prompts,
    },
    speed,
  );
  return (B * w.genTokens) / ((w.prompts * w.promptTokens) / prefill + w.genTokens * step);
}

export interface ServingResidual {
  point: ServingPoint;
  predicted: number;
  /** predicted / measured - 1 */
  error: number;
}

export function servingResidualsOf(points: ServingPoint[], speed: SpeedParams, fit: ServingFit): ServingResidual[] {
  return points.map((point) => {
    const predicted = predictAggregate(point, speed, fit);
    return { point, predicted, error: predicted / point.aggregateTokensPerSec - 1 };
  });
}

const grid = (lo: number, hi: number, n: number) =>
  Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));
const EFFICIENCIES = grid(COMPUTE_EFFICIENCY_BOUNDS.min, COMPUTE_EFFICIENCY_BOUNDS.max, 120);
const STREAM_FACTORS = grid(STREAM_FACTOR_BOUNDS.min, STREAM_FACTOR_BOUNDS.max, 61);

function sse(points: ServingPoint[], speed: SpeedParams, fit: ServingFit): number {
  let s = 0;
  for (const p of points) s += Math.log(predictAggregate(p, speed, fit) / p.aggregateTokensPerSec) ** 2;
  return s;
}

function withRuntime(fit: ServingFit, runtime: ServingRuntime, compute: number, stream: number | undefined) {
  const streamFactor = { ...fit.streamFactor };
  if (stream === undefined) delete streamFactor[runtime];
  else streamFactor[runtime] = stream;
  return { ...fit, computeEfficiency: { ...fit.computeEfficiency, [runtime]: compute }, streamFactor };
}

function bestOver(
  points: ServingPoint[],
  speed: SpeedParams,
  base: ServingFit,
  runtime: ServingRuntime,
  streams: (number | undefined)[],
) {
  let best = { fit: base, err: Infinity };
  for (const stream of streams)
    for (const compute of EFFICIENCIES) {
      const fit = withRuntime(base, runtime, compute, stream);
      const err = sse(points, speed, fit);
      if (err < best.err) best = { fit, err };
    }
  return best;
}

/**
 * A runtime other than llama.cpp gets its own streaming factor only when the runs ask for it: the
 * extra parameter must lower the squared log error by more than the Akaike penalty (n ln(SSE0/SSE1) > 2),
 * and it needs runs at two concurrencies or more to be told apart from the compute term.
 */
function fitRuntime(points: ServingPoint[], speed: SpeedParams, base: ServingFit, runtime: ServingRuntime) {
  const fixed = bestOver(points, speed, base, runtime, [undefined]);
  const levels = new Set(points.map((p) => p.concurrency)).size;
  if (runtime === 'llama.cpp' || levels < 2) return fixed;
  const free = bestOver(points, speed, base, runtime, STREAM_FACTORS);
  const n = points.length;
  return n * Math.log(fixed.err / Math.max(free.err, 1e-12)) > 2 ? free : fixed;
}

/** The fit, its band (10th and 90th percentile of measured / predicted), and every residual. */
export function fitServing(
  points: ServingPoint[],
  speed: SpeedParams,
): { fit: ServingFit; residuals: ServingResidual[] } {
  if (points.length === 0) throw new Error('fitServing: no points');
  let fit: ServingFit = { computeEfficiency: {}, streamFactor: {}, band: { low: 1, high: 1 } };
  for (const runtime of SERVING_RUNTIMES) {
    const own = points.filter((p) => p.input.runtime === runtime);
    if (own.length > 0) fit = fitRuntime(own, speed, fit, runtime).fit;
  }
  const residuals = servingResidualsOf(points, speed, fit);
  const ratios = residuals.map((r) => 1 / (1 + r.error));
  return {
    fit: { ...fit, band: { low: Math.min(1, quantile(ratios, 0.1)), high: Math.max(1, quantile(ratios, 0.9)) } },
    residuals,
  };
}

const byRuntime = (bounds: { min: number; max: number }) =>
  z.partialRecord(z.enum(SERVING_RUNTIMES), z.number().min(bounds.min).max(bounds.max));

/** data/serving-calibration.json: the serving model's fit, written by scripts/calibrate-serving.ts. */
export const ServingCalibrationSchema = z.object({
  fittedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  points: z.number().int().nonnegative(),
  computeEfficiency: byRuntime(COMPUTE_EFFICIENCY_BOUNDS),
  streamFactor: byRuntime(STREAM_FACTOR_BOUNDS),
  band: z.object({ low: z.number().positive(), high: z.number().positive() }),
  /** Median absolute error and share within 25%, in-sample and on the held-out runs. */
  residuals: z.object({
    fitMedianAbs: z.number().nonnegative(),
    fitWithin25: z.number().min(0).max(1),
    holdoutMedianAbs: z.number().nonnegative().nullable(),
    holdoutWithin25: z.number().min(0).max(1).nullable(),
    holdoutPoints: z.number().int().nonnegative(),
    /** Each device's runs predicted by a fit on every other device's (machines the fit never saw). */
    deviceOutMedianAbs: z.number().nonnegative(),
    deviceOutWithin25: z.number().min(0).max(1),
  }),
});
export type ServingCalibration = z.infer<typeof ServingCalibrationSchema>;

/** The model's view of a stored calibration. */
export const servingFitOf = (c: ServingCalibration): ServingFit => ({
  computeEfficiency: c.computeEfficiency,
  streamFactor: c.streamFactor,
  band: c.band,
});
