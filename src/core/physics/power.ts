/**
 * Power drawn by activity, from the chip's rated power and the machine's idle draw:
 *
 *   chip  = gpus x idleChip + (rated - idleChip) x utilisation(activity, class) x busy GPUs
 *   wall  = idle at the wall + (chip - chip at idle) / PSU efficiency + host busy
 *
 * `rated` is the board power limit of a discrete card (TGP) or the package power of a unified SoC
 * under GPU load; idleChip is a fitted share of it. Decode is memory-bound: it draws a floor (clocks
 * up) and then energy per byte it streams, so its utilisation rises with the share of peak bandwidth
 * achieved (bytes read per token x tokens/s / peak bandwidth). How much of the rating that stream
 * costs depends on the chip: a rating is sized to feed the chip's compute at full tilt, and the
 * energy of a streamed byte and of a flop shrink together with the process node, so a byte costs the
 * same number of flops' worth of power on any chip of a class. Decode's share of the rating then
 * follows the chip's bytes per flop (GB/s per dense FP16 TFLOPS):
 *
 *   u(decode) = u0 + perByte x (GB/s per TFLOPS) x share,   at most the card's limit (1), or an
 *                                                           SoC's compute-bound (prefill) utilisation
 *
 * An RTX 3090 (6.6 GB/s per TFLOPS) reaches its limit at about half its bandwidth; an RTX 4090 (3.1)
 * draws about 70% of its rating at 80% of its bandwidth.
 *
 * A small model at batch 1 reaches a lower share and may draw less. A runtime whose host cannot keep
 * up (Python between kernels, a scheduler step per token) also leaves the chip waiting part of each
 * token; while it waits the chip draws `waiting` (clocks up, no stream). The share of time it works
 * is the run's own tokens/s over what a gap-free runtime reaches on the same model and machine (the
 * decode model's estimate), and while it works it streams at share / busy:
 *
 *   u(decode, busy) = waiting + busy x (u(share / busy) - waiting)
 *
 * That holds for a host-bound runtime (Python eager between kernels). A compiled runtime (llama.cpp,
 * Ollama, vLLM with CUDA graphs) does not wait on its host: where it runs slower than the stream alone
 * would, the rest of each token goes to on-chip work the stream model leaves out (recurrent or
 * attention kernels, dequantisation), drawn at compute-bound (prefill's) utilisation:
 *
 *   u(decode, busy, compute gap) = prefill + busy x (u(share / busy) - prefill)
 *
 * A decode the product estimates (llama.cpp, the stream alone) is busy throughout. Prefill, image
 * and video generation and training are compute-bound and draw near the limit. Utilisation is
 * fitted per activity and, where the data shows a real difference, per platform class (a discrete
 * card's board vs a unified SoC's package, whose "rated" figure is an estimate of typical load, not
 * a firmware limit) on measured readings (`npm run calibrate`). A GPU-only reading (nvidia-smi) is not the wall: the increment passes
 * through the power supply and the host (a CPU core feeding the GPU, fans) adds a little; both are
 * stated assumptions with bounds, carried into the band.
 *
 * Every reading is predicted at the scope it was taken (board, package, wall); what the product
 * reports is the wall. An Apple machine's readings are used only at the wall (a plug meter, Apple's
 * own support figures): macOS has no package sensor, and powermetrics' figures are neither the wall
 * nor a package that holds what the rating holds ("GPU Power" leaves out the CPU, DRAM and the
 * fabric; "Combined Power" is CPU + GPU + ANE without DRAM, fans or the supply, and DRAM is a large
 * part of a decode's draw), so such a reading is not used.
 */
import type { Band, ModelSpec, QuantFamily } from '../catalog/specs.js';
import type { DeviceRecord, Figure } from '../catalog/schema.js';
import { median } from './calibration-fit.js';
import { kvCacheGB } from './memory.js';
import { streamedWeightsGB } from './weights.js';

export const POWER_ACTIVITIES = ['idle', 'decode', 'prefill', 'image', 'video', 'training'] as const;
export type PowerActivity = (typeof POWER_ACTIVITIES)[number];
/** What a reading may measure: an activity, or the peak of a mixed prefill + decode run (`load`). */
export type ReadingActivity = PowerActivity | 'load';
/** Where a reading was taken: the GPU board (nvidia-smi), the SoC package sensor, or the wall plug. */
export type PowerScope = 'gpu' | 'package' | 'wall';
export type PlatformClass = 'discrete' | 'unified';
/** The two utilisations the fit estimates; every other busy activity borrows one of them. */
export type FittedActivity = 'decode' | 'prefill';

/** One published reading of a machine's draw. */
export interface PowerReading {
  activity: ReadingActivity;
  watts: number;
  scope: PowerScope;
  /** Where it was published (a URL with a short description). */
  source: string;
  /** The machine as its source names it. */
  device: string;
  workload?: string;
  /** Decode: the share of the chip's peak bandwidth the run used, when it can be told. */
  bandwidthShare?: number;
  /**
   * Decode: the share of each token's time the chip worked (the run's tokens/s over a gap-free
   * runtime's estimate, at most 1); 1 when absent.
   */
  busyShare?: number;
  /** Decode: what the chip draws the rest of each token (`waiting` on a host, on-chip `compute`); waiting without. */
  gapDraw?: DecodeGap;
}

/**
 * What a chip does for the part of a decode's token it is not streaming: waits on a host-bound
 * runtime between kernels, or runs on-chip work the stream leaves out (a compiled runtime).
 */
export type DecodeGap = 'waiting' | 'compute';

/** What the power model needs to know about a machine. */
export interface PowerMachine {
  unified: boolean;
  gpus: number;
  /** Rated power of one GPU board (TGP, board power limit) or of the SoC package under GPU load, W. */
  chipW: number;
  /** The chip's peak bandwidth over its dense FP16 peak, GB/s per TFLOPS (TYPICAL_GB_PER_TFLOP without). */
  gbPerTflop?: number;
  chipSource: string;
  /** The whole machine at idle, at the wall. */
  idleW: { low: number; high: number; source: string };
  /** Published readings of this machine (or of its card, for GPU-scope ones). */
  readings?: readonly PowerReading[];
}

/**
 * Decode's utilisation: `atZero` with no bandwidth used, rising by `perByte` x the chip's GB/s per
 * TFLOPS x the share of peak bandwidth used (perByte: TFLOP of the chip's FP16 peak whose power a GB
 * streamed per second costs), and `waiting` while the chip waits on its host (at most atZero).
 */
export interface DecodeUtilisation {
  atZero: number;
  perByte: number;
  waiting: number;
}

export interface ClassUtilisation {
  decode: DecodeUtilisation;
  prefill: number;
}

export interface PowerFit {
  /** A chip's idle draw as a share of its rating (an idle RTX 5090 board reads ~12 W of 575 W). */
  chipIdleShare: number;
  utilisation: Record<PlatformClass, ClassUtilisation>;
  /** The bandwidth share of a decode nothing says more of (the fit's readings' median). */
  typicalDecodeShare: number;
  /** Spread of measured / predicted across workloads (10th and 90th percentile), applied to utilisation. */
  band: Record<PlatformClass, Band>;
}

/**
 * Bounds on a fitted utilisation. A discrete card's firmware holds its average draw to the board
 * limit, so 1 is a hard ceiling there; a unified SoC's rating is a typical-load estimate (Apple
 * publishes none) and its maximum under a CPU+GPU stress test runs to about twice it.
 */
export const UTILISATION_BOUNDS: Record<PlatformClass, Band> = {
  discrete: { low: 0.05, high: 1 },
  unified: { low: 0.05, high: 1.5 },
};
/** A chip idles at 1-15% of its rating (clocks parked, memory in self-refresh, display attached). */
export const CHIP_IDLE_SHARE_BOUNDS: Band = { low: 0.01, high: 0.15 };

/**
 * Share of the extra DC power that reaches the components: an 80 PLUS Gold supply is at least
 * 87-90% efficient between 20% and 100% load (115 V); Titanium units reach ~94%. Assumed, not fitted.
 */
export const PSU_EFFICIENCY = { low: 0.85, mid: 0.9, high: 0.94 } as const;

/**
 * What the rest of the machine draws above its idle while the GPU works (DC watts). A PC's CPU
 * keeps a core busy launching kernels and its fans spin up: 15-60 W. A unified SoC's package
 * reading already holds the CPU, so only DRAM, fans and the SSD add: 0-15 W. Assumed, not fitted.
 */
export const HOST_BUSY_W: Record<PlatformClass, { low: number; mid: number; high: number }> = {
  discrete: { low: 15, mid: 30, high: 60 },
  unified: { low: 0, mid: 5, high: 15 },
};

/** Used where no fit is loaded: decode below the limit and rising with its bandwidth, compute-bound work near it. */
export const UNFITTED_POWER: PowerFit = {
  chipIdleShare: 0.03,
  utilisation: {
    discrete: { decode: { atZero: 0.3, perByte: 0.15, waiting: 0.3 }, prefill: 0.95 },
    unified: { decode: { atZero: 0.3, perByte: 0.03, waiting: 0.3 }, prefill: 0.95 },
  },
  typicalDecodeShare: 0.7,
  band: { discrete: { low: 0.7, high: 1.3 }, unified: { low: 0.7, high: 1.3 } },
};

export const classOf = (m: Pick<PowerMachine, 'unified'>): PlatformClass => (m.unified ? 'unified' : 'discrete');

/** GB/s per FP16 TFLOPS of a machine nothing says more of (a mid-range discrete card's, ~4). */
export const TYPICAL_GB_PER_TFLOP = 4;

/** The chip's bandwidth over its compute, GB/s per TFLOPS (undefined without both). */
export function gbPerTflopOf(bandwidthGBs?: number, fp16Tflops?: number): number | undefined {
  return bandwidthGBs && fp16Tflops && bandwidthGBs > 0 && fp16Tflops > 0 ? bandwidthGBs / fp16Tflops : undefined;
}

/** Idle has no utilisation; decode is memory-bound; everything else (and a mixed run's peak) is compute-bound. */
export function fittedActivityOf(a: ReadingActivity): FittedActivity | null {
  if (a === 'idle') return null;
  return a === 'decode' ? 'decode' : 'prefill';
}

const clamp = (x: number, b: Band) => Math.min(b.high, Math.max(b.low, x));

const UNIT: Band = { low: 0, high: 1 };

/** The share of peak bandwidth a decode uses, within 0-1; the fit's typical share when unknown. */
export const decodeShareOf = (fit: PowerFit, share?: number): number =>
  clamp(share !== undefined && Number.isFinite(share) ? share : fit.typicalDecodeShare, UNIT);

const fmtW = (w: number) => String(Math.round(w * 10) / 10);

/** The share of a decode's time the chip works, within 0-1; 1 (no host gaps) when unknown. */
export const busyShareOf = (busy?: number): number =>
  busy !== undefined && Number.isFinite(busy) ? clamp(busy, UNIT) : 1;

/**
 * Utilisation of the chip's rating above idle. Decode's follows the bandwidth share it achieves
 * while it works, and falls to `waiting` for the share of the time it waits on its host.
 */
export function utilisationOf(
  fit: PowerFit,
  cls: PlatformClass,
  a: FittedActivity,
  share?: number,
  busy?: number,
  gbPerTflop: number = TYPICAL_GB_PER_TFLOP,
  gap: DecodeGap = 'waiting',
): number {
  const u = fit.utilisation[cls];
  if (a === 'prefill') return clamp(u.prefill, UTILISATION_BOUNDS[cls]);
  const b = busyShareOf(busy);
  const s = decodeShareOf(fit, share);
  const compute = Math.max(u.prefill, u.decode.atZero);
  // A discrete card's firmware holds the board to its limit whatever the work, and a decode whose
  // stream and clocks fill it reaches that limit, not prefill's typical draw (an RTX 3090 decodes at
  // 388.7 of its 390 W). A unified SoC's rating is a typical-load estimate with no firmware limit
  // behind it: there streaming draws no more than compute-bound work does.
  const ceiling = cls === 'discrete' ? UTILISATION_BOUNDS.discrete.high : compute;
  const working = Math.min(ceiling, u.decode.atZero + u.decode.perByte * gbPerTflop * (b > 0 ? Math.min(1, s / b) : 0));
  const rest = gap === 'compute' ? compute : Math.min(u.decode.waiting, u.decode.atZero);
  return clamp(rest + b * (working - rest), UTILISATION_BOUNDS[cls]);
}

/** GB read from memory per generated token: the weights a token streams and the KV cache at its depth. */
export function decodeBytesPerTokenGB(
  model: ModelSpec,
  weightsGB: number,
  family: QuantFamily | undefined,
  depthTokens: number,
  kvType?: string,
): number {
  return streamedWeightsGB(model, weightsGB, family) + kvCacheGB(model, depthTokens, kvType);
}

/** Achieved bandwidth over peak: tokens/s x GB per token / GB/s (undefined without a speed). */
export function decodeBandwidthShare(tokensPerSec: number | null, bytesPerTokenGB: number, bandwidthGBs: number) {
  if (!(tokensPerSec && tokensPerSec > 0) || !(bandwidthGBs > 0) || !(bytesPerTokenGB > 0)) return undefined;
  return Math.min(1, (tokensPerSec * bytesPerTokenGB) / bandwidthGBs);
}

/**
 * GPUs working at once. A model split by layers across cards runs them in turn, and a diffusion
 * pipeline or a single-GPU fine-tune uses one; prefill and training may keep all of them busy
 * (pipelined micro-batches, data parallel), which only the band's top allows.
 */
function busyGpus(m: PowerMachine, a: PowerActivity, high: boolean): number {
  return high && (a === 'prefill' || a === 'training') ? m.gpus : 1;
}

const chipIdleW = (m: PowerMachine, fit: PowerFit) => clamp(fit.chipIdleShare, CHIP_IDLE_SHARE_BOUNDS) * m.chipW;

/** The GPU board(s) or SoC package alone, at utilisation `u` (none at idle). */
function chipAt(m: PowerMachine, fit: PowerFit, u: number, busy: number): number {
  const idle = chipIdleW(m, fit);
  return m.gpus * idle + (m.chipW - idle) * u * busy;
}

interface WallAssumptions {
  idleWallW: number;
  hostBusyW: number;
  psuEfficiency: number;
}

function wallOf(m: PowerMachine, fit: PowerFit, chip: number, a: WallAssumptions): number {
  return a.idleWallW + (chip - chipAt(m, fit, 0, 0)) / a.psuEfficiency + a.hostBusyW;
}

/** A unified machine's host draw is at most this share of its chip's rating (hostBusyW). */
export const UNIFIED_HOST_SHARE_OF_CHIP = 0.15;

/**
 * The host's busy draw for a machine: a unified board's DRAM, fans and SSD scale with the board,
 * at most 15% of its chip's rating (a 12 W Raspberry Pi adds ~2 W, not a Mac Studio's 5-15).
 */
export function hostBusyW(m: Pick<PowerMachine, 'unified' | 'chipW'>, level: 'low' | 'mid' | 'high'): number {
  const table = HOST_BUSY_W[classOf(m)][level];
  return m.unified ? Math.min(table, UNIFIED_HOST_SHARE_OF_CHIP * m.chipW) : table;
}

const central = (m: PowerMachine): WallAssumptions => ({
  idleWallW: (m.idleW.low + m.idleW.high) / 2,
  hostBusyW: hostBusyW(m, 'mid'),
  psuEfficiency: PSU_EFFICIENCY.mid,
});
const lowest = (m: PowerMachine): WallAssumptions => ({
  idleWallW: m.idleW.low,
  hostBusyW: hostBusyW(m, 'low'),
  psuEfficiency: PSU_EFFICIENCY.high,
});
const highest = (m: PowerMachine): WallAssumptions => ({
  idleWallW: m.idleW.high,
  hostBusyW: hostBusyW(m, 'high'),
  psuEfficiency: PSU_EFFICIENCY.low,
});

/**
 * The model's draw for an activity at a scope, central assumptions: what the fit compares to
 * readings. `share` is a decode's achieved share of peak bandwidth (the fit's typical one without),
 * `busy` the share of its time the chip streamed (1 without), `gap` what it drew for the rest.
 */
export function predictWatts(
  m: PowerMachine,
  activity: ReadingActivity,
  scope: PowerScope,
  fit: PowerFit,
  share?: number,
  busy?: number,
  gap?: DecodeGap,
): number {
  const fa = fittedActivityOf(activity);
  const u = fa ? utilisationOf(fit, classOf(m), fa, share, busy, m.gbPerTflop, gap) : 0;
  const chip = fa ? chipAt(m, fit, u, 1) : chipAt(m, fit, 0, 0);
  if (scope !== 'wall') return chip;
  return fa ? wallOf(m, fit, chip, central(m)) : central(m).idleWallW;
}

/** Watts at the wall for an activity, and where the figure comes from. */
export interface ActivityPower {
  activity: PowerActivity;
  /** The whole machine at the wall plug (what the electricity meter sees). */
  watts: number;
  band: Band;
  basis: 'measured' | 'estimate';
  note: string;
  /** The reading's source when measured; the idle figure's when it is sourced. */
  source?: string;
}

/** A reading at the wall: as published, or a chip reading plus the machine's idle and host through the PSU. */
function readingAtWall(m: PowerMachine, r: PowerReading, fit: PowerFit): Band & { mid: number } {
  if (r.scope === 'wall') return { low: r.watts, mid: r.watts, high: r.watts };
  const at = (a: WallAssumptions) => (r.activity === 'idle' ? a.idleWallW : wallOf(m, fit, r.watts, a));
  return { low: at(lowest(m)), mid: at(central(m)), high: at(highest(m)) };
}

/**
 * A decode reading brought to the query's decode: the model's ratio between the decode asked (its
 * bandwidth share, or the reading's own without one, and no host gaps) and the reading's own run,
 * at the reading's scope. A reading taken under a host-bound runtime or at another share then says
 * what this machine draws for this decode, not for that one.
 */
function scaledToQuery(m: PowerMachine, r: PowerReading, fit: PowerFit, work: PowerWorkload): PowerReading {
  // A reading that says nothing of its run is taken as it stands.
  if (r.activity !== 'decode' || (r.bandwidthShare === undefined && r.busyShare === undefined)) return r;
  const asked = predictWatts(m, 'decode', r.scope, fit, work.decodeShare ?? r.bandwidthShare, 1);
  const ran = predictWatts(m, 'decode', r.scope, fit, r.bandwidthShare, r.busyShare, r.gapDraw);
  return ran > 0 ? { ...r, watts: (r.watts * asked) / ran } : r;
}

function measured(
  m: PowerMachine,
  activity: PowerActivity,
  fit: PowerFit,
  work: PowerWorkload,
): ActivityPower | undefined {
  const readings = m.readings ?? [];
  // A chip's idle reading says nothing about the wall beyond the machine's own idle figure.
  let own = readings.filter((r) => r.activity === activity && (activity !== 'idle' || r.scope === 'wall'));
  let asPeak = false;
  if (own.length === 0 && activity === 'prefill') {
    own = readings.filter((r) => r.activity === 'load');
    asPeak = own.length > 0;
  }
  if (own.length === 0) return undefined;
  const scaled = own.map((r) => scaledToQuery(m, r, fit, work));
  const moved = scaled.filter((r, i) => Math.abs(r.watts / own[i]!.watts - 1) > 0.01).length;
  const walls = scaled.map((r) => readingAtWall(m, r, fit));
  const chipReadings = own.filter((r) => r.scope !== 'wall').length;
  const sources = [...new Set(own.map((r) => r.source))];
  const parts = [
    own.length === 1 ? `one published reading` : `median of ${own.length} published readings`,
    asPeak ? 'the peak of a mixed prefill + decode run, read as the prefill draw' : '',
    moved
      ? `${moved === own.length ? 'each' : `${moved}`} scaled by the model from the run it measured ` +
        `(its bandwidth share and host gaps) to this decode`
      : '',
    chipReadings
      ? `${chipReadings === own.length ? 'taken' : `${chipReadings} taken`} at the ${own.some((r) => r.scope === 'gpu') ? 'GPU board' : 'SoC package'}, ` +
        `brought to the wall with the machine's idle, ${fmtW(hostBusyW(m, 'low'))}-${fmtW(hostBusyW(m, 'high'))} W of host ` +
        `and a supply ${PSU_EFFICIENCY.low * 100}-${PSU_EFFICIENCY.high * 100}% efficient`
      : 'at the wall',
  ];
  return {
    activity,
    watts: median(walls.map((w) => w.mid)),
    band: { low: Math.min(...walls.map((w) => w.low)), high: Math.max(...walls.map((w) => w.high)) },
    basis: 'measured',
    note: parts.filter(Boolean).join('; '),
    source: sources.join('; '),
  };
}

/** What the query says of the work: a decode's achieved share of the chip's peak bandwidth. */
export interface PowerWorkload {
  decodeShare?: number;
}

/**
 * The machine's draw at the wall while it does `activity`: its own published reading when there is
 * one (a mixed run's peak stands in for prefill), else the model at the fitted utilisation (for
 * decode, at the bandwidth share the query's decode achieves).
 */
export function activityPower(
  m: PowerMachine,
  activity: PowerActivity,
  fit: PowerFit = UNFITTED_POWER,
  work: PowerWorkload = {},
): ActivityPower {
  const own = measured(m, activity, fit, work);
  if (own) return own;
  const fa = fittedActivityOf(activity);
  const sourced = m.idleW.source !== 'estimate' ? { source: m.idleW.source } : {};
  if (!fa)
    return {
      activity,
      watts: central(m).idleWallW,
      band: { low: m.idleW.low, high: m.idleW.high },
      basis: 'estimate',
      note: "the machine's idle range",
      ...sourced,
    };
  const cls = classOf(m);
  const u = utilisationOf(fit, cls, fa, work.decodeShare, 1, m.gbPerTflop);
  const uLow = clamp(u * fit.band[cls].low, UTILISATION_BOUNDS[cls]);
  const uHigh = clamp(u * fit.band[cls].high, UTILISATION_BOUNDS[cls]);
  const at = (uu: number, a: WallAssumptions, busy: number) => wallOf(m, fit, chipAt(m, fit, uu, busy), a);
  const borrowed = fa !== activity ? `; no ${activity} readings: assumed compute-bound like prefill` : '';
  return {
    activity,
    watts: at(u, central(m), 1),
    band: { low: at(uLow, lowest(m), 1), high: at(uHigh, highest(m), busyGpus(m, activity, true)) },
    basis: 'estimate',
    note:
      `${Math.round(u * 100)}% of the ${cls === 'unified' ? 'package' : 'board'} rating (${m.chipW} W` +
      `${m.gpus > 1 ? ` x ${m.gpus}, one busy at a time` : ''}) above idle, fitted for ${fa} on ${cls} machines` +
      `${fa === 'decode' ? decodeShareNote(fit, work.decodeShare) : ''}${borrowed}`,
  };
}

function decodeShareNote(fit: PowerFit, share?: number): string {
  const pct = Math.round(decodeShareOf(fit, share) * 100);
  return share !== undefined
    ? `, at the ~${pct}% of peak bandwidth this decode uses`
    : `, at a typical ~${pct}% of peak bandwidth (no speed to tell)`;
}

/**
 * The power model's view of a catalog machine. `chipPowerW` is the chip table's rating (board TGP, or
 * package power of an SoC); without it the rating is read back from the machine's load figure
 * (a PC's load less ~150 W of host, per GPU), marked as an estimate. `chip` gives its bandwidth and
 * FP16 peak, whose ratio sets what decode's stream costs of the rating.
 */
export function powerMachineOf(
  record: Pick<DeviceRecord, 'unified' | 'gpus' | 'power'>,
  chipPowerW?: Figure,
  readings: readonly PowerReading[] = [],
  chip: { bandwidthGBs?: number; fp16Tflops?: number } = {},
): PowerMachine {
  const chipW =
    chipPowerW?.value ??
    (record.unified ? record.power.loadW.value : Math.max(1, (record.power.loadW.value - 150) / record.gpus));
  const gbPerTflop = gbPerTflopOf(chip.bandwidthGBs, chip.fp16Tflops);
  return {
    unified: record.unified,
    gpus: record.gpus,
    chipW,
    ...(gbPerTflop !== undefined ? { gbPerTflop } : {}),
    chipSource: chipPowerW?.source ?? 'estimate',
    idleW: { low: record.power.idleW.low, high: record.power.idleW.high, source: record.power.idleW.source },
    readings,
  };
}

/** kWh to generate a million tokens at `watts` and `tokensPerSec` (null when nothing is generated). */
export function energyPerMTokKWh(watts: number, tokensPerSec: number): number | null {
  if (!(tokensPerSec > 0) || !(watts >= 0)) return null;
  return ((watts / 1000) * (1e6 / tokensPerSec)) / 3600;
}

/** A reported figure (a seed's "725 W", "~120 W") set against the model's band for the same activity. */
export interface PowerConflict {
  reportedW: number;
  estimateW: number;
  band: Band;
  /** reported / estimate */
  ratio: number;
  /** Where the reported figure falls: inside the band, or above or below it. */
  position: 'within' | 'above' | 'below';
  conflict: boolean;
}

export function powerConflict(reportedW: number, estimate: Pick<ActivityPower, 'watts' | 'band'>): PowerConflict {
  const position =
    reportedW > estimate.band.high ? 'above' : reportedW < estimate.band.low ? 'below' : ('within' as const);
  return {
    reportedW,
    estimateW: estimate.watts,
    band: { ...estimate.band },
    ratio: reportedW / estimate.watts,
    position,
    conflict: position !== 'within',
  };
}
