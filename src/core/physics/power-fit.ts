/**
 * Fitting the power model on published readings: the chip's idle share from chip-scope idle
 * readings, then per activity (decode, prefill) the utilisation that minimizes the squared log
 * error of watts, either one value for every machine or one per platform class (discrete card,
 * unified SoC). The split is kept only when it pays for its two extra parameters (Akaike's
 * criterion), so a difference has to show in the data to be believed. A grid search: the
 * utilisations are independent given the idle share, and there are a few dozen points.
 */
import { z } from 'zod';
import { median, quantile } from './calibration-fit.js';
import {
  CHIP_IDLE_SHARE_BOUNDS,
  classOf,
  fittedActivityOf,
  HOST_BUSY_W,
  predictWatts,
  PSU_EFFICIENCY,
  UNFITTED_POWER,
  UTILISATION_BOUNDS,
  type FittedActivity,
  type PlatformClass,
  type PowerFit,
  type PowerMachine,
  type PowerScope,
  type ReadingActivity,
} from './power.js';

// The core's front door takes one line per feature: the model travels with its fit.
export * from './power.js';

export interface PowerPoint {
  label: string;
  machine: PowerMachine;
  activity: ReadingActivity;
  scope: PowerScope;
  /** Measured watts at `scope`. */
  watts: number;
}

export interface PowerResidual {
  point: PowerPoint;
  predicted: number;
  /** predicted / measured - 1 */
  error: number;
}

const CLASSES: PlatformClass[] = ['discrete', 'unified'];
const U_GRID = Array.from({ length: 146 }, (_, i) => Math.round((0.05 + i * 0.01) * 100) / 100);
/** A class's band comes from its own residuals once it has this many busy points, else from all. */
const MIN_POINTS_FOR_OWN_BAND = 3;
/**
 * The band is never narrower than this: a handful of readings per class spans a few workloads, and
 * draw moves with the model run (a small model leaves the GPU waiting between kernels more often).
 */
export const MIN_POWER_BAND = { low: 0.75, high: 1.25 } as const;

const logError = (p: PowerPoint, fit: PowerFit) =>
  Math.log(predictWatts(p.machine, p.activity, p.scope, fit) / p.watts);
const sse = (points: PowerPoint[], fit: PowerFit) => points.reduce((s, p) => s + logError(p, fit) ** 2, 0);
const isChipScope = (p: PowerPoint) => p.scope !== 'wall';

/** Median idle share of chip-scope idle readings, within bounds; the default without any. */
export function fitChipIdleShare(points: PowerPoint[]): number {
  const shares = points
    .filter((p) => p.activity === 'idle' && isChipScope(p))
    .map((p) => p.watts / (p.machine.gpus * p.machine.chipW));
  if (shares.length === 0) return UNFITTED_POWER.chipIdleShare;
  return Math.min(CHIP_IDLE_SHARE_BOUNDS.high, Math.max(CHIP_IDLE_SHARE_BOUNDS.low, median(shares)));
}

function withUtilisation(fit: PowerFit, classes: PlatformClass[], as: FittedActivity[], u: number): PowerFit {
  const utilisation = { ...fit.utilisation };
  for (const c of classes) for (const a of as) utilisation[c] = { ...utilisation[c], [a]: u };
  return { ...fit, utilisation };
}

/** The grid utilisation shared by `classes` and `as` (unchanged when no point bears on it). */
function fitOne(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[], as: FittedActivity[]): PowerFit {
  const mine = points.filter((p) => {
    const a = fittedActivityOf(p.activity);
    return a !== null && as.includes(a) && classes.includes(classOf(p.machine));
  });
  if (mine.length === 0) return fit;
  const ceiling = Math.max(...classes.map((c) => UTILISATION_BOUNDS[c].high));
  let best = { u: fit.utilisation[classes[0]!][as[0]!], err: Infinity };
  for (const u of U_GRID) {
    if (u > ceiling) break;
    const err = sse(mine, withUtilisation(fit, classes, as, u));
    if (err < best.err) best = { u, err };
  }
  return withUtilisation(fit, classes, as, best.u);
}

/**
 * Decode then prefill for a group of classes. Compute-bound work keeps the ALUs and the memory busy
 * where decode leaves the ALUs waiting, so prefill cannot draw less than decode: when the data says
 * otherwise (noise, or a decode made compute-heavy by its model), the two share one value.
 */
function fitGroup(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[]): PowerFit {
  let f = fitOne(points, fit, classes, ['decode']);
  f = fitOne(points, f, classes, ['prefill']);
  const c = classes[0]!;
  if (f.utilisation[c].decode > f.utilisation[c].prefill) f = fitOne(points, f, classes, ['decode', 'prefill']);
  return f;
}

function fitMode(points: PowerPoint[], base: PowerFit, perClass: boolean): PowerFit {
  // A class with no point for an activity keeps the shared value rather than the default.
  const shared = fitGroup(points, base, CLASSES);
  if (!perClass) return shared;
  return CLASSES.reduce((f, c) => fitGroup(points, f, [c]), shared);
}

/** Akaike's criterion for a least-squares fit of `k` parameters on n points (lower is better). */
function aic(points: PowerPoint[], fit: PowerFit, k: number): number {
  const n = points.length;
  return n * Math.log(Math.max(sse(points, fit), 1e-12) / n) + 2 * k;
}

function bandOf(residuals: PowerResidual[]) {
  const ratios = residuals.map((r) => 1 / (1 + r.error));
  return {
    low: Math.min(MIN_POWER_BAND.low, quantile(ratios, 0.1)),
    high: Math.max(MIN_POWER_BAND.high, quantile(ratios, 0.9)),
  };
}

export interface PowerFitResult {
  fit: PowerFit;
  /** Whether utilisation is fitted per platform class (the split paid for itself) or shared. */
  perClass: boolean;
  aic: { shared: number; perClass: number };
  residuals: PowerResidual[];
}

export function fitPower(points: PowerPoint[]): PowerFitResult {
  const busy = points.filter((p) => fittedActivityOf(p.activity) !== null);
  if (busy.length === 0) throw new Error('fitPower: no busy (decode, prefill or load) points');
  const base: PowerFit = { ...UNFITTED_POWER, chipIdleShare: fitChipIdleShare(points) };
  const shared = fitMode(busy, base, false);
  const split = fitMode(busy, shared, true);
  const scores = { shared: aic(busy, shared, 2), perClass: aic(busy, split, 4) };
  const perClass = scores.perClass < scores.shared;
  const chosen = perClass ? split : shared;
  const busyResiduals = powerResidualsOf(busy, chosen);
  const all = bandOf(busyResiduals);
  const band = Object.fromEntries(
    CLASSES.map((c) => {
      const own = busyResiduals.filter((r) => classOf(r.point.machine) === c);
      return [c, own.length >= MIN_POINTS_FOR_OWN_BAND ? bandOf(own) : all];
    }),
  ) as PowerFit['band'];
  const fit = { ...chosen, band };
  return { fit, perClass, aic: scores, residuals: powerResidualsOf(points, fit) };
}

export function powerResidualsOf(points: PowerPoint[], fit: PowerFit): PowerResidual[] {
  return points.map((point) => {
    const predicted = predictWatts(point.machine, point.activity, point.scope, fit);
    return { point, predicted, error: predicted / point.watts - 1 };
  });
}

/** Median |error| and the share of points within 25%, or null for no points. */
export function powerErrorSummary(rs: PowerResidual[]): { median: number; within25: number } | null {
  if (rs.length === 0) return null;
  const abs = rs.map((r) => Math.abs(r.error));
  return { median: median(abs), within25: abs.filter((e) => e <= 0.25).length / abs.length };
}

const utilisation = z.object({
  decode: z.number().min(UTILISATION_BOUNDS.discrete.low).max(UTILISATION_BOUNDS.unified.high),
  prefill: z.number().min(UTILISATION_BOUNDS.discrete.low).max(UTILISATION_BOUNDS.unified.high),
});
const band = z.object({ low: z.number().positive().max(1), high: z.number().min(1) });
const spread = z.object({ low: z.number(), mid: z.number(), high: z.number() });
const errors = z.object({ median: z.number().nonnegative(), within25: z.number().min(0).max(1) });

/** data/power-calibration.json: the power model's fit, its assumptions and how well it did. */
export const PowerCalibrationSchema = z.object({
  fittedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  points: z.number().int().nonnegative(),
  heldOut: z.number().int().nonnegative(),
  /** Readings compared but not fitted (wall idles; PC wall readings without the PC's idle). */
  checks: z.number().int().nonnegative(),
  perClass: z.boolean(),
  chipIdleShare: z.number().min(CHIP_IDLE_SHARE_BOUNDS.low).max(CHIP_IDLE_SHARE_BOUNDS.high),
  utilisation: z.object({ discrete: utilisation, unified: utilisation }),
  band: z.object({ discrete: band, unified: band }),
  /** Not fitted: stated so a change to them makes the stored file stale. */
  assumptions: z.object({
    psuEfficiency: spread,
    hostBusyW: z.object({ discrete: spread, unified: spread }),
  }),
  error: z.object({ fit: errors, holdout: errors.nullable(), check: errors.nullable() }),
});
export type PowerCalibration = z.infer<typeof PowerCalibrationSchema>;

/** The assumptions as the calibration file records them. */
export const POWER_ASSUMPTIONS: PowerCalibration['assumptions'] = {
  psuEfficiency: { ...PSU_EFFICIENCY },
  hostBusyW: { discrete: { ...HOST_BUSY_W.discrete }, unified: { ...HOST_BUSY_W.unified } },
};

/** The fit a calibration file holds (UNFITTED_POWER without one). */
export function powerFitOf(file: PowerCalibration | null | undefined): PowerFit {
  if (!file) return UNFITTED_POWER;
  return { chipIdleShare: file.chipIdleShare, utilisation: file.utilisation, band: file.band };
}

const reading = z.object({
  activity: z.enum(['idle', 'decode', 'prefill', 'image', 'video', 'training', 'load']),
  watts: z.number().positive(),
  scope: z.enum(['gpu', 'package', 'wall']),
  source: z.string().min(1),
  device: z.string().min(1),
  workload: z.string().optional(),
});

/**
 * data/power-readings.json: every usable published reading of data/power-runs.csv, by catalog
 * machine id, written beside the fit by scripts/calibrate-power.ts. The core cannot read the CSV; a
 * machine's own reading wins over the model (`activityPower`), so the verdicts need them as data.
 */
export const PowerReadingsFileSchema = z.object({
  fittedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  machines: z.record(z.string().min(1), z.array(reading).min(1)),
});
export type PowerReadingsFile = z.infer<typeof PowerReadingsFileSchema>;
