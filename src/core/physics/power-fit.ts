/**
 * Fitting the power model on published readings: the chip's idle share from chip-scope idle
 * readings, then the utilisations that minimize the squared log error of watts (a mixed run's
 * peak, `load`, only where the model draws less: it bounds the compute-bound draw from below):
 * prefill's one value, decode's line in the achieved bandwidth share (u0 at none, no higher than
 * prefill's, rising by perByte x the chip's GB/s per TFLOPS up to a card's limit or an SoC's
 * prefill draw) and its draw while the chip waits on a host-bound runtime (at most u0). perByte and waiting carry physical priors (POWER_PRIORS): the readings move
 * them only as far as they vary in them. One set for every machine or one per platform class
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
  UNIFIED_HOST_SHARE_OF_CHIP,
  predictWatts,
  PSU_EFFICIENCY,
  UNFITTED_POWER,
  UTILISATION_BOUNDS,
  type ClassUtilisation,
  type DecodeGap,
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
  /** Decode: the share of its time the chip streamed (1 when absent). */
  busyShare?: number;
  /** Decode: what the chip drew for the rest of each token (waiting on its host when absent). */
  gapDraw?: DecodeGap;
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

/** A physical prior on a fitted constant: its central value and the spread physics leaves it. */
export interface PowerPrior {
  center: number;
  sigma: number;
  basis: string;
}

/**
 * Priors on decode's constants that a handful of readings may not tell: its draw with nothing
 * streamed (atZero), what a streamed byte costs (perByte) and what a chip draws while it waits on
 * its host (waiting). The fit minimises
 * the squared log error over POWER_READING_SIGMA squared plus each prior's squared z-score (a
 * maximum a posteriori fit), so a constant the fit rows do not vary in stays at its physical value
 * instead of wherever the optimizer parks it, and one they do vary in moves as far as they say.
 */
export const POWER_PRIORS: Record<PlatformClass, { atZero: PowerPrior; perByte: PowerPrior; waiting: PowerPrior }> = {
  discrete: {
    atZero: {
      center: 0.25,
      sigma: 0.1,
      basis:
        "estimate: a decode's kernels running with no bytes streamed: waiting's clocks-up draw (~0.1) plus the SMs " +
        'issuing, launching and dequantising at low occupancy (~0.1-0.2); readings at the board limit bound u0 + ' +
        'perByte x GB/s per TFLOPS x share from below and cannot place u0 alone',
    },
    perByte: {
      center: 0.12,
      sigma: 0.05,
      basis:
        'estimate: a byte streamed to the SMs costs its DRAM access (GDDR6/6X ~7-7.5 pJ/bit, ~60 pJ/byte) plus ' +
        'about as much again on chip (L2, crossbar, L1, registers) and the dequantise-and-dot work, ~120-200 pJ/byte ' +
        'on a 4-5 nm chip, while a dense FP16 tensor flop costs the rating over the peak (RTX 4090 450 W / 330 TFLOPS ' +
        '= 1.4 pJ): ~90-150 flops a byte, perByte = flops per byte / 1000 = 0.09-0.15',
    },
    waiting: {
      center: 0.1,
      sigma: 0.06,
      basis:
        'estimate: a chip waiting between kernels keeps its clocks and memory up but switches no ALUs: its idle ' +
        'share (~3%) plus memory at full clock and the core clock tree at load voltage, about a tenth of the rating ' +
        '(a card whose memory clock stays up at the desktop draws tens of watts more than at idle)',
    },
  },
  unified: {
    atZero: {
      center: 0.25,
      sigma: 0.1,
      basis:
        "estimate: as a discrete card, a decode's kernels with no bytes streamed: clocks up plus low-occupancy issue",
    },
    perByte: {
      center: 0.03,
      sigma: 0.02,
      basis:
        'estimate: LPDDR5/5X ~4-5 pJ/bit (~40 pJ/byte) plus the on-chip path, ~80-150 pJ/byte, against a shader ' +
        'FP16 flop at the package rating (Mac mini M4 22 W / 4.0 TFLOPS = 5.4 pJ, no tensor cores): ~15-30 flops ' +
        'a byte, perByte 0.015-0.03',
    },
    waiting: {
      center: 0.1,
      sigma: 0.06,
      basis: 'estimate: as a discrete card, clocks and memory up with no ALUs switching, about a tenth of the rating',
    },
  },
};
/** The spread of a reading about the model (log error): the weight of the data against the priors. */
export const POWER_READING_SIGMA = 0.1;

/** The priors' squared z-scores for a decode utilisation shared by `classes`. */
function priorPenalty(fit: PowerFit, classes: PlatformClass[], told: { waiting: boolean }, on: boolean): number {
  if (!on) return 0;
  let sum = 0;
  for (const c of classes) {
    const d = fit.utilisation[c].decode;
    const p = POWER_PRIORS[c];
    sum += ((d.atZero - p.atZero.center) / p.atZero.sigma) ** 2;
    sum += ((d.perByte - p.perByte.center) / p.perByte.sigma) ** 2;
    if (told.waiting) sum += ((d.waiting - p.waiting.center) / p.waiting.sigma) ** 2;
  }
  return sum * POWER_READING_SIGMA ** 2;
}

/** Waiting by the priors of `classes` (their mean centre), never above the line's foot; the foot without priors. */
const priorWaiting = (classes: PlatformClass[], foot: number, on: boolean) =>
  on ? Math.min(foot, classes.reduce((s, c) => s + POWER_PRIORS[c].waiting.center, 0) / classes.length) : foot;

/** Decode points that say what a chip draws while waiting on its host. */
const tellsWaiting = (p: PowerPoint) => busyShareOf(p.busyShare) < 1 && (p.gapDraw ?? 'waiting') === 'waiting';

const predicted = (p: PowerPoint, fit: PowerFit) =>
  predictWatts(p.machine, p.activity, p.scope, fit, p.bandwidthShare, p.busyShare, p.gapDraw);
const logError = (p: PowerPoint, fit: PowerFit) => Math.log(predicted(p, fit) / p.watts);
/**
 * A mixed run's peak (`load`) bounds the compute-bound draw from below: the meter averages over a
 * window that a short prefill phase may not fill (a 3B model's pp4096 lasts a fraction of a second),
 * so the peak can fall short of a sustained prefill but not exceed it. It counts only where the model
 * draws less than it; every other reading counts both ways.
 */
const fitError = (p: PowerPoint, fit: PowerFit) => {
  const e = logError(p, fit);
  return p.activity === 'load' ? Math.min(0, e) : e;
};
const sse = (points: PowerPoint[], fit: PowerFit) => points.reduce((s, p) => s + fitError(p, fit) ** 2, 0);
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
 * chip, or all at the limit, cannot tell the slope: the prior on perByte holds it there.
 */
function fitDecode(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[], priors: boolean): PowerFit {
  const mine = busyOf(points, classes, 'decode');
  if (mine.length === 0) return fit;
  const ceiling = Math.min(
    Math.max(...classes.map((c) => UTILISATION_BOUNDS[c].high)),
    Math.min(...classes.map((c) => fit.utilisation[c].prefill)),
  );
  // The ceiling itself is on the grid: decode at prefill's draw must be reachable, whatever its parity.
  const grid = [...U_GRID_2D.filter((u) => u < ceiling), ceiling];
  // Waiting starts at its prior; without runs that waited it stays there.
  let f = withClass(fit, classes, (cu) => ({
    ...cu,
    decode: { ...cu.decode, waiting: priorWaiting(classes, cu.decode.atZero, priors) },
  }));
  for (let round = 0; round < 3; round++)
    f = fitWaiting(mine, fitLine(mine, f, classes, grid, priors), classes, priors);
  return f;
}

/** Decode's line with its waiting draw held (but never above the line's foot), at the priors' weight. */
function fitLine(
  mine: PowerPoint[],
  fit: PowerFit,
  classes: PlatformClass[],
  grid: number[],
  priors: boolean,
): PowerFit {
  const told = { waiting: mine.some(tellsWaiting) };
  let best = { fit, err: Infinity, slope: Infinity };
  for (const u0 of grid) {
    for (const perByte of PER_BYTE_GRID) {
      const f = withClass(fit, classes, (cu) => ({
        ...cu,
        decode: { atZero: u0, perByte, waiting: Math.min(cu.decode.waiting, u0) },
      }));
      const err = sse(mine, f) + priorPenalty(f, classes, told, priors);
      // Without priors, among equally good lines the flattest is kept.
      if (err < best.err - 1e-9 || (!priors && err <= best.err + 1e-9 && perByte < best.slope))
        best = { fit: f, err, slope: perByte };
    }
  }
  return best.fit;
}

/**
 * The draw while the chip waits, from the runs that left it waiting on a host-bound runtime, at
 * the prior's weight; the prior (never above the line's foot) when none did.
 */
function fitWaiting(mine: PowerPoint[], fit: PowerFit, classes: PlatformClass[], priors: boolean): PowerFit {
  const foot = Math.min(...classes.map((c) => fit.utilisation[c].decode.atZero));
  if (!mine.some(tellsWaiting))
    return withClass(fit, classes, (cu) => ({
      ...cu,
      decode: { ...cu.decode, waiting: priorWaiting(classes, foot, priors) },
    }));
  let best = { fit, err: Infinity };
  for (const w of [...U_GRID.filter((u) => u < foot), foot]) {
    const f = withClass(fit, classes, (cu) => ({ ...cu, decode: { ...cu.decode, waiting: w } }));
    const err = sse(mine, f) + priorPenalty(f, classes, { waiting: true }, priors);
    // Without priors, the highest equally good value (closest to the foot) is kept.
    if (err < best.err - 1e-9 || (!priors && err <= best.err + 1e-9)) best = { fit: f, err: Math.min(err, best.err) };
  }
  return best.fit;
}

function fitGroup(points: PowerPoint[], fit: PowerFit, classes: PlatformClass[], priors: boolean): PowerFit {
  return fitDecode(points, fitPrefill(points, fit, classes), classes, priors);
}

function fitMode(points: PowerPoint[], base: PowerFit, perClass: boolean, priors: boolean): PowerFit {
  // A class with no point for an activity keeps the shared value rather than the default.
  const shared = fitGroup(points, base, CLASSES, priors);
  if (!perClass) return shared;
  return CLASSES.reduce((f, c) => fitGroup(points, f, [c], priors), shared);
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

/**
 * `priors: false` fits the readings alone (least squares, the flattest of equal lines, waiting at
 * the foot), for checking that the fit recovers what made its points.
 */
export function fitPower(points: PowerPoint[], { priors = true }: { priors?: boolean } = {}): PowerFitResult {
  const busy = points.filter((p) => fittedActivityOf(p.activity) !== null);
  if (busy.length === 0) throw new Error('fitPower: no busy (decode, prefill or load) points');
  const base: PowerFit = {
    ...UNFITTED_POWER,
    chipIdleShare: fitChipIdleShare(points),
    typicalDecodeShare: typicalDecodeShareOf(points),
  };
  const shared = fitMode(busy, base, false, priors);
  const split = fitMode(busy, shared, true, priors);
  // Waiting is a parameter only where some run left the chip waiting on its host.
  const waits = (cs: PlatformClass[]) => (busy.some((p) => cs.includes(classOf(p.machine)) && tellsWaiting(p)) ? 1 : 0);
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
const prior = z.object({ center: z.number().min(0), sigma: z.number().positive(), basis: z.string().min(1) });

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
    /** A unified machine's host draw is at most this share of its chip's rating (power.ts hostBusyW). */
    unifiedHostShareOfChip: z.number().min(0).max(1).optional(),
    /** Physical priors on decode's perByte and waiting, and the reading spread that weighs them. */
    priors: z.object({
      readingSigma: z.number().positive(),
      discrete: z.object({ atZero: prior, perByte: prior, waiting: prior }),
      unified: z.object({ atZero: prior, perByte: prior, waiting: prior }),
    }),
  }),
  error: z.object({ fit: errors, holdout: errors.nullable(), check: errors.nullable() }),
});
export type PowerCalibration = z.infer<typeof PowerCalibrationSchema>;

/** The assumptions as the calibration file records them. */
export const POWER_ASSUMPTIONS: PowerCalibration['assumptions'] = {
  psuEfficiency: { ...PSU_EFFICIENCY },
  hostBusyW: { discrete: { ...HOST_BUSY_W.discrete }, unified: { ...HOST_BUSY_W.unified } },
  unifiedHostShareOfChip: UNIFIED_HOST_SHARE_OF_CHIP,
  priors: {
    readingSigma: POWER_READING_SIGMA,
    discrete: {
      atZero: { ...POWER_PRIORS.discrete.atZero },
      perByte: { ...POWER_PRIORS.discrete.perByte },
      waiting: { ...POWER_PRIORS.discrete.waiting },
    },
    unified: {
      atZero: { ...POWER_PRIORS.unified.atZero },
      perByte: { ...POWER_PRIORS.unified.perByte },
      waiting: { ...POWER_PRIORS.unified.waiting },
    },
  },
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
  gapDraw: z.enum(['waiting', 'compute']).optional(),
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
