/**
 * Fitting the power model on published readings: the chip's idle share from chip-scope idle
 * readings, then the utilisations that minimize the squared log error of watts: prefill's one
 * value, decode's line in the achieved bandwidth share (u0 at none, u1 at the peak, u1 >= u0,
 * u1 no higher than prefill's) and its draw while the chip waits on a host-bound runtime (at most
 * u0, told only by runs that left the chip waiting), either one set for every machine or one per platform class
 * (discrete card, unified SoC). The split is kept only when it pays for its extra parameters
 * (Akaike's criterion), so a difference has to show in the data to be believed. A grid search:
 * there are a few dozen points.
 */
import { z } from 'zod';
import { median, quantile } from './calibration-fit.js';
import {
  busyShareOf,
  CHIP_IDLE_SHARE_BOUNDS,
  classOf,
  fittedActivityOf,
  HOST_BUSY_W,
  predictWatts,
  PSU_EFFICIENCY,
  UNFITTED_POWER,
  UTILISATION_BOUNDS,
  type ClassUtilisation,
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
  /** Decode: the share of peak bandwidth the run achieved (the fit's typical share when absent). */
  bandwidthShare?: number;
  /** Decode: the share of its time the chip worked (1 when absent). */
  busyShare?: number;
}

export interface PowerResidual {
  point: PowerPoint;
  predicted: number;
  /** predicted / measured - 1 */
  error: number;
}

const CLASSES: PlatformClass[] = ['discrete', 'unified'];
const U_GRID = Array.from({ length: 146 }, (_, i) => Math.round((0.05 + i * 0.01) * 100) / 100);
/** Decode's line is searched on a coarser grid (two dimensions); 0.02 is well inside the band. */
const U_GRID_2D = U_GRID.filter((_, i) => i % 2 === 0);
/** A class's band comes from its own residuals once it has this many busy points, else from all. */
const MIN_POINTS_FOR_OWN_BAND = 3;
/**
 * The band is never narrower than this: a handful of readings per class spans a few workloads, and
 * draw moves with the model run (a small model leaves the GPU waiting between kernels more often).
 */
export const MIN_POWER_BAND = { low: 0.75, high: 1.25 } as const;

const predicted = (p: PowerPoint, fit: PowerFit) =>
  predictWatts(p.machine, p.activity, p.scope, fit, p.bandwidthShare, p.busyShare);
const logError = (p: PowerPoint, fit: PowerFit) => Math.log(predicted(p, fit) / p.watts);
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

function withClass(fit: PowerFit, classes: PlatformClass[], f: (u: ClassUtilisation) => ClassUtilisation): PowerFit {
  const utilisation = { ...fit.utilisation };
  for (const c of classes) utilisation[c] = f(utilisation[c]);
  return { ...fit, utilisation };
}

const busyOf = (points: PowerPoint[], classes: PlatformClass[], a: 'decode' | 'prefill') =>
  points.filter((p) => fittedActivityOf(p.activity) === a && classes.includes(classOf(p.machine)));

/** Prefill's grid utilisation shared by `classes` (unchanged when no point bears on it). */
function fitPrefill(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[]): PowerFit {
  const mine = busyOf(points, classes, 'prefill');
  if (mine.length === 0) return fit;
  const ceiling = Math.max(...classes.map((c) => UTILISATION_BOUNDS[c].high));
  let best = { fit, err: Infinity };
  for (const u of U_GRID) {
    if (u > ceiling) break;
    const f = withClass(fit, classes, (cu) => ({ ...cu, prefill: u }));
    const err = sse(mine, f);
    if (err < best.err) best = { fit: f, err };
  }
  return best.fit;
}

/** perByte's grid: 0 to 0.5 TFLOP per GB/s (an RTX 3090 at its limit at half its bandwidth needs ~0.27). */
const PER_BYTE_GRID = Array.from({ length: 101 }, (_, i) => Math.round(i * 0.005 * 1000) / 1000);

/**
 * Decode's line (u0 at no bandwidth, rising by perByte per GB/s per TFLOPS of share) shared by
 * `classes`, then its draw while waiting. The line's foot stays at or under prefill's utilisation
 * (streaming leaves the ALUs waiting where prefill keeps them busy). Points of one share and one
 * chip cannot tell the slope: among equally good lines the flattest is kept, so a slope has to
 * show in the data to be believed.
 */
function fitDecode(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[]): PowerFit {
  const mine = busyOf(points, classes, 'decode');
  if (mine.length === 0) return fit;
  const ceiling = Math.min(
    Math.max(...classes.map((c) => UTILISATION_BOUNDS[c].high)),
    Math.min(...classes.map((c) => fit.utilisation[c].prefill)),
  );
  // The ceiling itself is on the grid: decode at prefill's draw must be reachable, whatever its parity.
  const grid = [...U_GRID_2D.filter((u) => u < ceiling), ceiling];
  // Waiting starts at the line's foot (no effect), so without waiting runs the line is fitted alone.
  let f = withClass(fit, classes, (cu) => ({ ...cu, decode: { ...cu.decode, waiting: cu.decode.atZero } }));
  for (let round = 0; round < 3; round++) f = fitWaiting(mine, fitLine(mine, f, classes, grid), classes);
  return f;
}

/** Decode's line with its waiting draw held (but never above the line's foot). */
function fitLine(mine: PowerPoint[], fit: PowerFit, classes: PlatformClass[], grid: number[]): PowerFit {
  let best = { fit, err: Infinity, slope: Infinity };
  for (const u0 of grid) {
    for (const perByte of PER_BYTE_GRID) {
      const f = withClass(fit, classes, (cu) => ({
        ...cu,
        decode: { atZero: u0, perByte, waiting: Math.min(cu.decode.waiting, u0) },
      }));
      const err = sse(mine, f);
      if (err < best.err - 1e-9 || (err <= best.err + 1e-9 && perByte < best.slope))
        best = { fit: f, err, slope: perByte };
    }
  }
  return best.fit;
}

/**
 * The draw while the chip waits, from the runs that left it waiting; the line's foot (no effect)
 * when none did, or when they cannot tell it from the foot (the highest equally good value is kept).
 */
function fitWaiting(mine: PowerPoint[], fit: PowerFit, classes: PlatformClass[]): PowerFit {
  const told = mine.filter((p) => busyShareOf(p.busyShare) < 1);
  const foot = Math.min(...classes.map((c) => fit.utilisation[c].decode.atZero));
  if (told.length === 0) return withClass(fit, classes, (cu) => ({ ...cu, decode: { ...cu.decode, waiting: foot } }));
  let best = { fit, err: Infinity };
  for (const w of [...U_GRID.filter((u) => u < foot), foot]) {
    const f = withClass(fit, classes, (cu) => ({ ...cu, decode: { ...cu.decode, waiting: w } }));
    const err = sse(mine, f);
    if (err <= best.err + 1e-9) best = { fit: f, err: Math.min(err, best.err) };
  }
  return best.fit;
}

function fitGroup(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[]): PowerFit {
  return fitDecode(points, fitPrefill(points, fit, classes), classes);
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
  const base: PowerFit = {
    ...UNFITTED_POWER,
    chipIdleShare: fitChipIdleShare(points),
    typicalDecodeShare: typicalDecodeShareOf(points),
  };
  const shared = fitMode(busy, base, false);
  const split = fitMode(busy, shared, true);
  // Waiting is a parameter only where some run left the chip waiting.
  const waits = (cs: PlatformClass[]) =>
    busy.some((p) => cs.includes(classOf(p.machine)) && busyShareOf(p.busyShare) < 1) ? 1 : 0;
  const scores = {
    shared: aic(busy, shared, 3 + waits(CLASSES)),
    perClass: aic(busy, split, 6 + waits(['discrete']) + waits(['unified'])),
  };
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

/**
 * The median bandwidth share of the decode readings that state one, from runs that kept the chip
 * busy (a host-bound runtime's share says how long it waited, not what a decode streams); the
 * default without any.
 */
export function typicalDecodeShareOf(points: PowerPoint[]): number {
  const shares = points.flatMap((p) =>
    fittedActivityOf(p.activity) === 'decode' && p.bandwidthShare !== undefined && busyShareOf(p.busyShare) === 1
      ? [p.bandwidthShare]
      : [],
  );
  return shares.length ? Math.min(1, Math.max(0, median(shares))) : UNFITTED_POWER.typicalDecodeShare;
}

export function powerResidualsOf(points: PowerPoint[], fit: PowerFit): PowerResidual[] {
  return points.map((point) => {
    const watts = predicted(point, fit);
    return { point, predicted: watts, error: watts / point.watts - 1 };
  });
}

/** Median |error| and the share of points within 25%, or null for no points. */
export function powerErrorSummary(rs: PowerResidual[]): { median: number; within25: number } | null {
  if (rs.length === 0) return null;
  const abs = rs.map((r) => Math.abs(r.error));
  return { median: median(abs), within25: abs.filter((e) => e <= 0.25).length / abs.length };
}

const share = z.number().min(UTILISATION_BOUNDS.discrete.low).max(UTILISATION_BOUNDS.unified.high);
const utilisation = z.object({
  /** Decode's utilisation at no bandwidth used and at the chip's peak; linear in the achieved share. */
  /**
   * Decode: atZero with no bandwidth used, + perByte x the chip's GB/s per TFLOPS x the share used,
   * and waiting while the chip waits on a host-bound runtime (at most atZero).
   */
  decode: z
    .object({ atZero: share, perByte: z.number().min(0).max(1), waiting: share })
    .refine((d) => d.waiting <= d.atZero, 'waiting above atZero'),
  prefill: share,
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
  /** The bandwidth share assumed for a decode whose speed is unknown: the fit readings' median. */
  typicalDecodeShare: z.number().min(0).max(1),
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
  return {
    chipIdleShare: file.chipIdleShare,
    utilisation: file.utilisation,
    typicalDecodeShare: file.typicalDecodeShare,
    band: file.band,
  };
}

const reading = z.object({
  activity: z.enum(['idle', 'decode', 'prefill', 'image', 'video', 'training', 'load']),
  watts: z.number().positive(),
  scope: z.enum(['gpu', 'package', 'wall']),
  source: z.string().min(1),
  device: z.string().min(1),
  workload: z.string().optional(),
  bandwidthShare: z.number().min(0).max(1).optional(),
  busyShare: z.number().min(0).max(1).optional(),
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
