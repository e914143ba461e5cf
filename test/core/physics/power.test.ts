/** Power by activity: watts from a chip's rating and a machine's idle, its fit on published readings, energy per token. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  activityPower,
  decodeBandwidthShare,
  decodeBytesPerTokenGB,
  energyPerMTokKWh,
  HOST_BUSY_W,
  hostBusyW,
  powerConflict,
  predictWatts,
  PSU_EFFICIENCY,
  TYPICAL_GB_PER_TFLOP,
  utilisationOf,
  UTILISATION_BOUNDS,
  type PowerFit,
  type PowerMachine,
  type PowerReading,
} from '../../../src/core/physics/power.js';
import {
  fitPower,
  POWER_PRIORS,
  POWER_READING_SIGMA,
  PowerCalibrationSchema,
  powerFitOf,
  type PowerPoint,
} from '../../../src/core/physics/power-fit.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { loadPowerRuns } from '../../../scripts/power-points.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** A PC with a 450 W card, idling at 80-100 W at the wall. */
const PC: PowerMachine = {
  unified: false,
  gpus: 1,
  chipW: 450,
  chipSource: 'test',
  idleW: { low: 80, high: 100, source: 'estimate' },
};
/** A unified box rated 140 W for its package, idling at 20-30 W. */
const BOX: PowerMachine = { ...PC, unified: true, chipW: 140, idleW: { low: 20, high: 30, source: 'estimate' } };
/**
 * Decode's utilisation from none to the peak of a typical chip's bandwidth (TYPICAL_GB_PER_TFLOP,
 * the test machines' own); `flat` when it does not move. Waiting defaults to the foot (no effect).
 */
const line = (atZero: number, atPeak: number, waiting = atZero) => ({
  atZero,
  perByte: (atPeak - atZero) / TYPICAL_GB_PER_TFLOP,
  waiting,
});
/** Utilisation at the peak of a typical chip's bandwidth. */
const atPeak = (d: { atZero: number; perByte: number }) => d.atZero + d.perByte * TYPICAL_GB_PER_TFLOP;
const flat = (u: number) => line(u, u);
const FIT: PowerFit = {
  chipIdleShare: 0.03,
  utilisation: { discrete: { decode: flat(0.7), prefill: 0.9 }, unified: { decode: flat(0.5), prefill: 0.8 } },
  typicalDecodeShare: 0.7,
  band: { discrete: { low: 0.8, high: 1.25 }, unified: { low: 0.8, high: 1.25 } },
};
/** Decode at 30% of the rating with no bandwidth used, 90% at the peak. */
const SLOPED: PowerFit = {
  ...FIT,
  utilisation: { ...FIT.utilisation, discrete: { decode: line(0.3, 0.9), prefill: 0.95 } },
};
const reading = (r: Partial<PowerReading>): PowerReading => ({
  activity: 'decode',
  watts: 300,
  scope: 'wall',
  source: 'https://example.org/reading',
  device: 'test rig',
  ...r,
});

describe('power by activity', () => {
  it('a discrete PC idles below decode, decodes below prefill, and prefill stays under the card at its limit', () => {
    const idle = activityPower(PC, 'idle', FIT);
    const decode = activityPower(PC, 'decode', FIT);
    const prefill = activityPower(PC, 'prefill', FIT);
    expect(idle.watts).toBeLessThan(decode.watts);
    expect(decode.watts).toBeLessThan(prefill.watts);
    // Rated-ish: idle + the whole board through the supply + the busiest host.
    const ceiling = PC.idleW.high + PC.chipW / PSU_EFFICIENCY.low + HOST_BUSY_W.discrete.high;
    expect(prefill.band.high).toBeLessThanOrEqual(ceiling);
    expect(predictWatts(PC, 'prefill', 'gpu', FIT)).toBeLessThanOrEqual(PC.chipW);
  });

  it('wall = idle + (chip above its idle) / PSU efficiency + host: 90 + 0.9 x (450 - 13.5) / 0.9 + 30 = 556.5 W', () => {
    const fit = { ...FIT, utilisation: { ...FIT.utilisation, discrete: { decode: flat(0.9), prefill: 0.9 } } };
    expect(activityPower(PC, 'decode', fit).watts).toBeCloseTo(556.5, 6);
    expect(predictWatts(PC, 'decode', 'gpu', fit)).toBeCloseTo(13.5 + 436.5 * 0.9, 6);
    expect(predictWatts(PC, 'idle', 'gpu', fit)).toBeCloseTo(13.5, 6);
    expect(activityPower(PC, 'idle', fit)).toMatchObject({
      watts: 90,
      band: { low: 80, high: 100 },
      basis: 'estimate',
    });
  });

  it('draw rises with the rating, the idle and the utilisation', () => {
    const base = activityPower(PC, 'decode', FIT).watts;
    expect(activityPower({ ...PC, chipW: 575 }, 'decode', FIT).watts).toBeGreaterThan(base);
    expect(activityPower({ ...PC, idleW: { ...PC.idleW, low: 100, high: 120 } }, 'decode', FIT).watts).toBeGreaterThan(
      base,
    );
    const hotter = { ...FIT, utilisation: { ...FIT.utilisation, discrete: { decode: flat(0.8), prefill: 0.9 } } };
    expect(activityPower(PC, 'decode', hotter).watts).toBeGreaterThan(base);
    const d = activityPower(PC, 'decode', FIT);
    expect(d.band.low).toBeLessThan(d.watts);
    expect(d.band.high).toBeGreaterThan(d.watts);
  });

  it('image, video and training borrow the compute-bound (prefill) utilisation and say so', () => {
    for (const a of ['image', 'video', 'training'] as const) {
      const p = activityPower(BOX, a, FIT);
      expect(p.watts).toBeCloseTo(activityPower(BOX, 'prefill', FIT).watts, 6);
      expect(p.note).toMatch(/compute-bound/);
    }
  });

  it('a card never draws above its board limit, whatever the fit says; a unified rating may be exceeded up to its bound', () => {
    const wild = {
      ...FIT,
      utilisation: { discrete: { decode: flat(1.4), prefill: 1.4 }, unified: { decode: flat(9), prefill: 9 } },
    };
    expect(predictWatts(PC, 'prefill', 'gpu', wild)).toBeCloseTo(PC.chipW, 6);
    const idle = 0.03 * BOX.chipW;
    expect(predictWatts(BOX, 'prefill', 'package', wild)).toBeCloseTo(
      idle + (BOX.chipW - idle) * UTILISATION_BOUNDS.unified.high,
      6,
    );
    expect(activityPower(PC, 'prefill', wild).band.high).toBeLessThanOrEqual(
      PC.idleW.high + PC.chipW / PSU_EFFICIENCY.low + HOST_BUSY_W.discrete.high,
    );
  });

  it("two cards split by layers work in turn: one card's swing above two idles; prefill's band allows both busy", () => {
    const two = { ...PC, gpus: 2 };
    const idle = 0.03 * 450;
    expect(predictWatts(two, 'decode', 'gpu', FIT)).toBeCloseTo(2 * idle + (450 - idle) * 0.7, 6);
    expect(activityPower(two, 'prefill', FIT).band.high).toBeGreaterThan(
      activityPower(PC, 'prefill', FIT).band.high + 300,
    );
    expect(activityPower(two, 'decode', FIT).band.high).toBeLessThan(activityPower(PC, 'decode', FIT).band.high + 50);
  });
});

describe('decode power by the bandwidth it uses', () => {
  it('u = u0 + (u1 - u0) x share: a 450 W card at 30% and 90% utilisation, 60% of its bandwidth used -> 66%', () => {
    const idle = 0.03 * 450;
    expect(predictWatts(PC, 'decode', 'gpu', SLOPED, 0.6)).toBeCloseTo(idle + (450 - idle) * 0.66, 6);
    expect(predictWatts(PC, 'decode', 'gpu', SLOPED, 0)).toBeCloseTo(idle + (450 - idle) * 0.3, 6);
    // Without a share, the fit's typical one (0.7): 0.3 + 0.6 x 0.7 = 0.72.
    expect(predictWatts(PC, 'decode', 'gpu', SLOPED)).toBeCloseTo(idle + (450 - idle) * 0.72, 6);
    // A share beyond the peak is the peak; prefill does not depend on it.
    expect(predictWatts(PC, 'decode', 'gpu', SLOPED, 3)).toBeCloseTo(predictWatts(PC, 'decode', 'gpu', SLOPED, 1), 9);
    expect(predictWatts(PC, 'prefill', 'gpu', SLOPED, 0.1)).toBeCloseTo(predictWatts(PC, 'prefill', 'gpu', SLOPED), 9);
  });

  it('a decode that uses more of the bandwidth draws more, and the note says at what share', () => {
    const small = activityPower(PC, 'decode', SLOPED, { decodeShare: 0.35 });
    const large = activityPower(PC, 'decode', SLOPED, { decodeShare: 0.85 });
    expect(small.watts).toBeLessThan(large.watts);
    expect(small.band.high).toBeLessThan(large.band.high);
    expect(small.note).toMatch(/35% of peak bandwidth/);
    expect(activityPower(PC, 'decode', SLOPED).note).toMatch(/typical ~70%/);
    // A machine's own reading that says nothing of its run still wins as it stands.
    const m = { ...PC, readings: [reading({ watts: 321 })] };
    expect(activityPower(m, 'decode', SLOPED, { decodeShare: 0.1 }).watts).toBe(321);
  });

  it('a stream costs more of the rating on a chip with more bandwidth per TFLOPS: u = u0 + perByte x GB/s per TFLOPS x share', () => {
    const fit = { ...FIT, utilisation: { ...FIT.utilisation, discrete: { decode: line(0.1, 0.9), prefill: 0.95 } } };
    // perByte = 0.8 / 4 = 0.2: an RTX 4090 (1008 GB/s / 330 TFLOPS = 3.05) at 80% of its bandwidth -> 0.1 + 0.2 x 3.05 x 0.8.
    const ada = { ...PC, gbPerTflop: 1008 / 330.3 };
    const idle = 0.03 * 450;
    expect(predictWatts(ada, 'decode', 'gpu', fit, 0.8)).toBeCloseTo(
      idle + (450 - idle) * (0.1 + 0.2 * (1008 / 330.3) * 0.8),
      6,
    );
    // An RTX 3090's 6.6 reaches the board's limit (the cap on any work on a discrete card) at the same share.
    const ampere = { ...PC, gbPerTflop: 936 / 142 };
    expect(predictWatts(ampere, 'decode', 'gpu', fit, 0.8)).toBeCloseTo(PC.chipW, 6);
    for (const share of [0.2, 0.5, 0.8])
      expect(predictWatts(ampere, 'decode', 'gpu', fit, share)).toBeGreaterThanOrEqual(
        predictWatts(ada, 'decode', 'gpu', fit, share),
      );
  });

  it("a discrete card's stream may draw past prefill's typical utilisation up to the board's limit; an SoC's stops at prefill's", () => {
    // Prefill fitted at 0.8, the stream asking 0.2 + 0.25 x 8 x 0.9 = 2.0 of the rating.
    const fit: PowerFit = {
      ...FIT,
      utilisation: {
        discrete: { decode: line(0.2, 1.2), prefill: 0.8 },
        unified: { decode: line(0.2, 1.2), prefill: 0.8 },
      },
    };
    const card = { ...PC, gbPerTflop: 8 };
    expect(predictWatts(card, 'decode', 'gpu', fit, 0.9)).toBeCloseTo(PC.chipW, 9);
    expect(predictWatts(card, 'decode', 'gpu', fit, 0.9)).toBeGreaterThan(predictWatts(card, 'prefill', 'gpu', fit));
    const soc = { ...BOX, gbPerTflop: 8 };
    expect(predictWatts(soc, 'decode', 'package', fit, 0.9)).toBeCloseTo(
      predictWatts(soc, 'prefill', 'package', fit),
      9,
    );
    // A compiled runtime's on-chip gap still draws compute-bound (prefill's) utilisation, not the limit.
    const idle = 0.03 * 450;
    expect(predictWatts(card, 'decode', 'gpu', fit, 0, 0, 'compute')).toBeCloseTo(idle + (450 - idle) * 0.8, 9);
  });

  it('a chip left waiting by its host draws `waiting` for that share of the time and streams faster the rest', () => {
    const fit = {
      ...FIT,
      utilisation: { ...FIT.utilisation, discrete: { decode: line(0.3, 0.9, 0.1), prefill: 0.95 } },
    };
    const idle = 0.03 * 450;
    // Busy a quarter of the time at 10% of peak overall: 40% while it works -> 0.3 + 0.6 x 0.4 = 0.54; 0.1 + 0.25 x 0.44.
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.1, 0.25)).toBeCloseTo(idle + (450 - idle) * (0.1 + 0.25 * 0.44), 6);
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.1, 0.25)).toBeLessThan(predictWatts(PC, 'decode', 'gpu', fit, 0.1));
    // Busy throughout is the line itself; with waiting at the line's foot the busy share drops out.
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.5, 1)).toBeCloseTo(predictWatts(PC, 'decode', 'gpu', fit, 0.5), 9);
    expect(predictWatts(PC, 'decode', 'gpu', SLOPED, 0.1, 0.25)).toBeCloseTo(
      predictWatts(PC, 'decode', 'gpu', SLOPED, 0.1),
      9,
    );
    // More time working, more draw.
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.1, 0.5)).toBeGreaterThan(
      predictWatts(PC, 'decode', 'gpu', fit, 0.1, 0.25),
    );
  });

  it("a compiled runtime slower than its stream spends the rest computing, at prefill's draw, not waiting", () => {
    const fit = {
      ...FIT,
      utilisation: { ...FIT.utilisation, discrete: { decode: line(0.3, 0.9, 0.1), prefill: 0.95 } },
    };
    const idle = 0.03 * 450;
    // Streaming three quarters of the time at 30% overall: 40% while it streams -> 0.3 + 0.6 x 0.4 = 0.54;
    // the rest at prefill's 0.95: 0.95 + 0.75 x (0.54 - 0.95) = 0.6425.
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.3, 0.75, 'compute')).toBeCloseTo(
      idle + (450 - idle) * (0.95 + 0.75 * (0.54 - 0.95)),
      6,
    );
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.3, 0.75, 'compute')).toBeGreaterThan(
      predictWatts(PC, 'decode', 'gpu', fit, 0.3, 0.75, 'waiting'),
    );
    // Busy throughout, the gap's kind does not matter.
    expect(predictWatts(PC, 'decode', 'gpu', fit, 0.3, 1, 'compute')).toBeCloseTo(
      predictWatts(PC, 'decode', 'gpu', fit, 0.3, 1, 'waiting'),
      9,
    );
  });

  it("a machine's own decode reading is brought to the decode asked: a host-bound run at a low share is scaled up", () => {
    const fit = {
      ...FIT,
      utilisation: { ...FIT.utilisation, discrete: { decode: line(0.3, 0.9, 0.1), prefill: 0.95 } },
    };
    const r = reading({ watts: 150, scope: 'gpu', bandwidthShare: 0.1, busyShare: 0.25 });
    const asked = activityPower({ ...PC, readings: [r] }, 'decode', fit, { decodeShare: 0.7 });
    const ratio = predictWatts(PC, 'decode', 'gpu', fit, 0.7, 1) / predictWatts(PC, 'decode', 'gpu', fit, 0.1, 0.25);
    const asIs = activityPower({ ...PC, readings: [reading({ watts: 150 * ratio, scope: 'gpu' })] }, 'decode', fit, {
      decodeShare: 0.7,
    });
    expect(asked.basis).toBe('measured');
    expect(asked.watts).toBeCloseTo(asIs.watts, 6);
    expect(asked.watts).toBeGreaterThan(activityPower({ ...PC, readings: [r] }, 'decode', FIT).watts);
    expect(asked.note).toMatch(/scaled by the model/);
  });

  it('the share is tokens/s x GB per token over the bandwidth: 20.89 t/s x 4.63 GB / 120 GB/s = 0.806', () => {
    expect(decodeBandwidthShare(20.89, 4.63, 120)).toBeCloseTo(0.806, 3);
    expect(decodeBandwidthShare(500, 4.63, 120)).toBe(1);
    expect(decodeBandwidthShare(null, 4.63, 120)).toBeUndefined();
    expect(decodeBandwidthShare(0, 4.63, 120)).toBeUndefined();
  });

  it('GB per token are the streamed weights plus the KV cache at the depth', () => {
    const model = loadCatalog().model('llama-3.1-8b')!;
    const at0 = decodeBytesPerTokenGB(model, 4.9, 'k-quant', 0);
    const at32k = decodeBytesPerTokenGB(model, 4.9, 'k-quant', 32_768);
    // Llama 3.1 8B: its untied input embedding table (0.5B parameters) is looked up, not streamed.
    expect(at0).toBeGreaterThan(4.2);
    expect(at0).toBeLessThan(4.9);
    // 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 131 kB a token: 4.3 GB at 32k.
    expect(at32k - at0).toBeCloseTo((32 * 8 * 128 * 2 * 2 * 32_768) / 1e9, 2);
  });
});

describe('measured figures', () => {
  it("a machine's own wall reading wins over the model, with its source", () => {
    const m = { ...PC, readings: [reading({ watts: 321 })] };
    const p = activityPower(m, 'decode', FIT);
    expect(p).toMatchObject({ watts: 321, band: { low: 321, high: 321 }, basis: 'measured' });
    expect(p.source).toBe('https://example.org/reading');
    expect(activityPower(m, 'prefill', FIT).basis).toBe('estimate');
  });

  it('a GPU-board reading is not the wall: idle, host and supply losses are added, and their bounds make the band', () => {
    const m = { ...PC, readings: [reading({ watts: 400, scope: 'gpu' })] };
    const p = activityPower(m, 'decode', FIT);
    const chipIdle = 0.03 * 450;
    expect(p.basis).toBe('measured');
    expect(p.watts).toBeCloseTo(90 + (400 - chipIdle) / 0.9 + 30, 6);
    expect(p.band.low).toBeCloseTo(80 + (400 - chipIdle) / PSU_EFFICIENCY.high + HOST_BUSY_W.discrete.low, 6);
    expect(p.band.high).toBeCloseTo(100 + (400 - chipIdle) / PSU_EFFICIENCY.low + HOST_BUSY_W.discrete.high, 6);
    expect(p.note).toMatch(/GPU board/);
  });

  it('several readings give their median and their range; a mixed run’s peak stands in for prefill only', () => {
    const m = {
      ...PC,
      readings: [reading({ watts: 300 }), reading({ watts: 500 }), reading({ watts: 420, activity: 'load' })],
    };
    expect(activityPower(m, 'decode', FIT)).toMatchObject({ watts: 400, band: { low: 300, high: 500 } });
    const prefill = activityPower(m, 'prefill', FIT);
    expect(prefill).toMatchObject({ watts: 420, basis: 'measured' });
    expect(prefill.note).toMatch(/peak of a mixed/);
    expect(activityPower(m, 'image', FIT).basis).toBe('estimate');
  });

  it("a chip's idle reading does not replace the machine's idle at the wall", () => {
    const m = { ...PC, readings: [reading({ activity: 'idle', watts: 12, scope: 'gpu' })] };
    expect(activityPower(m, 'idle', FIT)).toMatchObject({ watts: 90, basis: 'estimate' });
    const wall = { ...PC, readings: [reading({ activity: 'idle', watts: 55 })] };
    expect(activityPower(wall, 'idle', FIT)).toMatchObject({ watts: 55, basis: 'measured' });
  });
});

describe('energy and reported figures', () => {
  it('energy per million tokens: 360 W at 100 tok/s is 10,000 s at 0.36 kW = 1 kWh', () => {
    expect(energyPerMTokKWh(360, 100)).toBeCloseTo(1, 12);
    expect(energyPerMTokKWh(120, 20)).toBeCloseTo((0.12 * 50_000) / 3600, 12);
    expect(energyPerMTokKWh(360, 0)).toBeNull();
  });

  it("says when a reported figure falls outside the model's band", () => {
    const est = { watts: 700, band: { low: 520, high: 840 } };
    expect(powerConflict(725, est)).toMatchObject({ position: 'within', conflict: false });
    expect(powerConflict(120, { watts: 70, band: { low: 48, high: 103 } })).toMatchObject({
      position: 'above',
      conflict: true,
    });
    expect(powerConflict(40, { watts: 70, band: { low: 48, high: 103 } }).position).toBe('below');
    expect(powerConflict(725, est).ratio).toBeCloseTo(725 / 700, 12);
  });
});

/**
 * Points the model itself makes for a spread of machines, activities and scopes; decodes at three
 * shares, one host-bound; each point `copies` times (more weight against the priors).
 */
function synthetic(
  truth: PowerFit,
  runs: readonly (readonly [number, number | undefined])[] = [
    [0.2, undefined],
    [0.55, undefined],
    [0.9, undefined],
    [0.1, 0.2],
  ],
  copies = 1,
): PowerPoint[] {
  const points: PowerPoint[] = [];
  const machines: PowerMachine[] = [
    { ...PC, chipW: 170, gbPerTflop: 7, idleW: { low: 50, high: 70, source: 'estimate' } },
    PC,
    { ...PC, chipW: 600, gbPerTflop: 3 },
    BOX,
    { ...BOX, chipW: 22, gbPerTflop: 6, idleW: { low: 5, high: 7, source: 'estimate' } },
    { ...BOX, chipW: 180, gbPerTflop: 2 },
  ];
  for (const machine of machines)
    for (const activity of ['idle', 'decode', 'prefill', 'load'] as const)
      for (const scope of [machine.unified ? 'package' : 'gpu', 'wall'] as const)
        for (const [share, busy] of activity === 'decode' ? runs : [[undefined, undefined] as const])
          for (let copy = 0; copy < copies; copy++)
            points.push({
              label: `${machine.chipW} W ${activity} @${scope}${share === undefined ? '' : ` at ${share} busy ${busy}`}`,
              machine,
              activity,
              scope,
              watts: predictWatts(machine, activity, scope, truth, share, busy),
              ...(share === undefined ? {} : { bandwidthShare: share }),
              ...(busy === undefined ? {} : { busyShare: busy }),
            });
  return points;
}

describe('power fit', () => {
  it('recovers the utilisations and idle share that generated its points, per class when they differ', () => {
    const truth: PowerFit = {
      chipIdleShare: 0.04,
      utilisation: {
        discrete: { decode: line(0.31, 0.83), prefill: 0.93 },
        unified: { decode: line(0.25, 0.65), prefill: 1.1 },
      },
      typicalDecodeShare: 0.55,
      band: FIT.band,
    };
    const { fit, perClass, residuals } = fitPower(synthetic(truth), { priors: false });
    expect(perClass).toBe(true);
    expect(fit.chipIdleShare).toBeCloseTo(0.04, 6);
    expect(fit.typicalDecodeShare).toBeCloseTo(0.55, 6);
    for (const c of ['discrete', 'unified'] as const) {
      expect(fit.utilisation[c].prefill).toBeCloseTo(truth.utilisation[c].prefill, 2);
      expect(fit.utilisation[c].decode.atZero).toBeCloseTo(truth.utilisation[c].decode.atZero, 2);
      expect(fit.utilisation[c].decode.perByte).toBeCloseTo(truth.utilisation[c].decode.perByte, 2);
    }
    expect(Math.max(...residuals.map((r) => Math.abs(r.error)))).toBeLessThan(0.01);
  });

  it("recovers a chip's waiting draw from host-bound runs, and leaves it at its prior when no run waited", () => {
    const truth: PowerFit = {
      ...FIT,
      utilisation: {
        discrete: { decode: line(0.2, 0.8, 0.12), prefill: 0.93 },
        unified: { decode: line(0.25, 0.65, 0.15), prefill: 1.1 },
      },
    };
    const { fit } = fitPower(synthetic(truth), { priors: false });
    for (const c of ['discrete', 'unified'] as const)
      expect(fit.utilisation[c].decode.waiting).toBeCloseTo(truth.utilisation[c].decode.waiting, 2);
    const busy = fitPower(
      synthetic(truth, [
        [0.2, undefined],
        [0.55, undefined],
        [0.9, undefined],
      ]),
    ).fit;
    for (const c of ['discrete', 'unified'] as const)
      expect(busy.utilisation[c].decode.waiting).toBe(
        Math.min(POWER_PRIORS[c].waiting.center, busy.utilisation[c].decode.atZero),
      );
  });

  it('holds what a few readings cannot tell at its physical prior, and yields to readings that vary in it', () => {
    // Cards all at their limit, at one share: the slope and the foot cannot be told apart.
    const capped: PowerFit = {
      ...FIT,
      utilisation: { discrete: { decode: flat(0.94), prefill: 0.94 }, unified: { decode: flat(0.5), prefill: 0.8 } },
    };
    const few = synthetic(capped, [[0.7, undefined]]).filter((p) => !p.machine.unified && p.machine.chipW === 450);
    const alone = fitPower(few, { priors: false }).fit.utilisation.discrete.decode;
    const { fit, residuals } = fitPower(few);
    const held = fit.utilisation.discrete.decode;
    // Alone, the readings park the foot at the limit (the flattest line); the priors split it into a foot and a stream.
    expect(alone.atZero).toBeCloseTo(0.94, 6);
    expect(alone.perByte).toBe(0);
    expect(held.atZero).toBeLessThan(0.6);
    expect(held.perByte).toBeGreaterThan(POWER_PRIORS.discrete.perByte.center - POWER_PRIORS.discrete.perByte.sigma);
    expect(held.waiting).toBe(Math.min(POWER_PRIORS.discrete.waiting.center, held.atZero));
    // ... and still meet the readings within their own spread (POWER_READING_SIGMA).
    for (const r of residuals.filter((r) => r.point.activity === 'decode'))
      expect(Math.abs(r.error)).toBeLessThan(POWER_READING_SIGMA);
    // A slope the readings show at several shares and chips, many times over, is recovered whatever the priors.
    const sloped: PowerFit = {
      ...FIT,
      utilisation: {
        discrete: { decode: line(0.2, 0.6), prefill: 0.94 },
        unified: { decode: flat(0.5), prefill: 0.8 },
      },
    };
    const told = fitPower(synthetic(sloped, undefined, 8).filter((p) => !p.machine.unified)).fit.utilisation.discrete;
    expect(told.decode.perByte).toBeCloseTo(sloped.utilisation.discrete.decode.perByte, 1);
    expect(told.decode.atZero).toBeCloseTo(0.2, 1);
  });

  it('keeps one utilisation for every machine when the classes do not differ', () => {
    const same = { decode: line(0.45, 0.75), prefill: 0.9 };
    const truth: PowerFit = { ...FIT, utilisation: { discrete: same, unified: same } };
    const { fit, perClass } = fitPower(synthetic(truth), { priors: false });
    expect(perClass).toBe(false);
    expect(fit.utilisation.unified).toEqual(fit.utilisation.discrete);
    expect(fit.utilisation.discrete.decode.atZero).toBeCloseTo(0.45, 2);
    expect(atPeak(fit.utilisation.discrete.decode)).toBeCloseTo(0.75, 2);
  });

  it("can put decode at prefill's draw, whatever the parity of its hundredths (the coarse grid once stopped one short)", () => {
    const truth: PowerFit = {
      ...FIT,
      utilisation: { discrete: { decode: flat(0.94), prefill: 0.94 }, unified: { decode: flat(0.5), prefill: 0.8 } },
    };
    const { fit } = fitPower(synthetic(truth), { priors: false });
    expect(fit.utilisation.discrete.decode.atZero).toBeCloseTo(0.94, 6);
    expect(fit.utilisation.discrete.decode.perByte).toBe(0);
  });

  it("reads a mixed run's peak as a floor under the compute-bound draw: a low peak does not pull prefill down, a high one lifts it", () => {
    const truth: PowerFit = {
      ...FIT,
      utilisation: {
        discrete: { decode: line(0.3, 0.7), prefill: 0.8 },
        unified: { decode: line(0.3, 0.6), prefill: 0.9 },
      },
    };
    const points = synthetic(truth);
    const peaks = (k: number) =>
      points.filter((p) => p.activity === 'load' && !p.machine.unified).map((p) => ({ ...p, watts: p.watts * k }));
    // A meter whose window a short prefill did not fill: peaks at 60% of the sustained draw.
    const low = fitPower([...points, ...peaks(0.6), ...peaks(0.6)], { priors: false }).fit;
    expect(low.utilisation.discrete.prefill).toBeCloseTo(0.8, 2);
    const high = fitPower(
      points.map((p) => (p.activity === 'load' && !p.machine.unified ? { ...p, watts: p.watts * 1.1 } : p)),
      { priors: false },
    ).fit;
    expect(high.utilisation.discrete.prefill).toBeGreaterThan(0.82);
  });

  it("never fits decode's foot above prefill, a line that falls with bandwidth, nor a card above its limit", () => {
    const truth: PowerFit = {
      ...FIT,
      utilisation: { discrete: { decode: flat(0.95), prefill: 0.7 }, unified: { decode: flat(0.5), prefill: 0.8 } },
    };
    const { fit } = fitPower(synthetic(truth));
    expect(fit.utilisation.discrete.decode.atZero).toBeLessThanOrEqual(fit.utilisation.discrete.prefill);
    expect(utilisationOf(fit, 'discrete', 'decode', 1)).toBeLessThanOrEqual(UTILISATION_BOUNDS.discrete.high);
    expect(utilisationOf(fit, 'unified', 'decode', 1)).toBeLessThanOrEqual(fit.utilisation.unified.prefill);
    // Points that fall with bandwidth (a small model drawing more) fit no falling line: at most a flat one.
    const falling = synthetic(FIT).map((p) =>
      p.bandwidthShare === undefined ? p : { ...p, watts: p.watts * (1.3 - 0.5 * p.bandwidthShare) },
    );
    for (const c of ['discrete', 'unified'] as const) {
      const d = fitPower(falling).fit.utilisation[c].decode;
      expect(d.perByte).toBeGreaterThanOrEqual(0);
    }
    const hot = synthetic(FIT).map((p) => (p.machine.unified ? p : { ...p, watts: p.watts * 3 }));
    expect(fitPower(hot).fit.utilisation.discrete.prefill).toBeLessThanOrEqual(UTILISATION_BOUNDS.discrete.high);
  });
});

describe('data/power-calibration.json', () => {
  const stored = PowerCalibrationSchema.parse(
    JSON.parse(readFileSync(join(root, 'data', 'power-calibration.json'), 'utf8')),
  );
  const { runs, skipped } = loadPowerRuns(loadCatalog());

  it('is what the calibration produces from the fit share of data/power-runs.csv', () => {
    const fitPoints = runs.filter((r) => r.role === 'fit').map((r) => r.point);
    expect(fitPoints.length).toBe(stored.points);
    const { fit, perClass } = fitPower(fitPoints);
    expect(stored.perClass).toBe(perClass);
    expect(stored.chipIdleShare).toBeCloseTo(fit.chipIdleShare, 3);
    expect(stored.typicalDecodeShare).toBeCloseTo(fit.typicalDecodeShare, 3);
    for (const c of ['discrete', 'unified'] as const) {
      expect(stored.utilisation[c].prefill).toBeCloseTo(fit.utilisation[c].prefill, 3);
      expect(stored.utilisation[c].decode.atZero).toBeCloseTo(fit.utilisation[c].decode.atZero, 3);
      expect(stored.utilisation[c].decode.perByte).toBeCloseTo(fit.utilisation[c].decode.perByte, 3);
      expect(stored.utilisation[c].decode.waiting).toBeCloseTo(fit.utilisation[c].decode.waiting, 3);
    }
    // Held-out readings exist and the fit never saw them.
    expect(runs.filter((r) => r.role === 'holdout').length).toBeGreaterThanOrEqual(5);
  });

  it('skips ratings, stress tests, speculative decoding, raised caps and doubtful rows, each with a reason', () => {
    const why = skipped.map((s) => s.why).join('\n');
    for (const reason of [/rating/, /stress test/, /speculative/, /cap raised/, /doubtful/])
      expect(why).toMatch(reason);
    expect(runs.length + skipped.length).toBe(95);
  });

  it('reads host-bound runs (PyTorch eager at batch 1) as a chip busy part of the time, and llama.cpp runs as busy throughout', () => {
    const decodes = runs.filter((r) => r.reading.activity === 'decode');
    const eager = decodes.filter((r) => /transformers/i.test(r.row.runtime));
    expect(eager.length).toBeGreaterThanOrEqual(4);
    for (const r of eager) expect(r.point.busyShare).toBeLessThan(0.8);
    // TinyLlama FP16 at 95 t/s on an RTX 5090, where a fed runtime streams its 2.2 GB ~5x faster.
    expect(eager.find((r) => /TinyLlama/.test(r.row.workload))?.point.busyShare).toBeLessThan(0.3);
    for (const r of eager) expect(r.point.gapDraw).toBe('waiting');
    const llama = decodes.filter((r) => /^llama\.cpp/i.test(r.row.runtime) && !/estimated/.test(r.shareBasis ?? ''));
    expect(llama.length).toBeGreaterThanOrEqual(5);
    for (const r of llama) expect(r.point.busyShare ?? 1).toBeGreaterThan(0.9);
    // A compiled runtime below its stream (a hybrid model's recurrent layers) computes; it does not wait.
    const compiled = decodes.filter((r) => r.point.busyShare !== undefined && !/transformers/i.test(r.row.runtime));
    expect(compiled.length).toBeGreaterThanOrEqual(1);
    for (const r of compiled) expect(r.point.gapDraw).toBe('compute');
  });

  it('uses an Apple machine only at the wall: powermetrics readings are neither its package nor its wall', () => {
    const apple = runs.filter((r) => /^Apple\b/.test(r.row.device));
    expect(apple.length).toBeGreaterThanOrEqual(3);
    for (const r of apple) expect(r.reading.scope).toBe('wall');
  });

  it("rates a run by the limit it states it ran under (a user cap, a BIOS SPL, a partner board's limit), else its chip's rating", () => {
    const capped = runs.find((r) => r.row.device === 'NVIDIA GeForce RTX 4090 (AIO-cooled)');
    expect(capped?.point.machine.chipW).toBe(400);
    const spl = runs.find((r) => /MS-S1 Max/.test(r.row.device));
    expect(spl?.point.machine.chipW).toBe(130);
    const partner = runs.find((r) => /370 W stock limit/.test(r.row.device));
    expect(partner?.point.machine.chipW).toBe(370);
    const stock = runs.find((r) => r.row.device === 'NVIDIA A800-SXM4-80GB');
    expect(stock?.point.machine.chipW).toBe(400);
  });

  it('gives every decode reading it keeps its achieved share of peak bandwidth, and says how', () => {
    const decodes = runs.filter((r) => r.reading.activity === 'decode');
    expect(decodes.length).toBeGreaterThanOrEqual(8);
    for (const r of decodes) {
      expect(r.point.bandwidthShare).toBeGreaterThan(0);
      expect(r.point.bandwidthShare).toBeLessThanOrEqual(1);
      expect(r.shareBasis).toMatch(/t\/s (stated|estimated) x [\d.]+ GB\/token/);
    }
    // Geerling's M4 mini: llama3.1:8b at 20.89 t/s streams ~4.6 GB a token of 120 GB/s (~0.8).
    const mini = decodes.find((r) => /llama3\.1:8b/.test(r.row.workload) && r.deviceId === decodes[0]!.deviceId);
    expect(mini?.point.bandwidthShare).toBeCloseTo(0.8, 1);
  });

  it('orders idle < decode <= prefill for a stored-fit RTX 5090 PC, within its rated whole-machine load', () => {
    const fit = powerFitOf(stored);
    const pc: PowerMachine = { ...PC, chipW: 575, idleW: { low: 80, high: 120, source: 'estimate' } };
    const idle = activityPower(pc, 'idle', fit).watts;
    const decode = activityPower(pc, 'decode', fit).watts;
    const prefill = activityPower(pc, 'prefill', fit).watts;
    expect(idle).toBeLessThan(decode);
    expect(decode).toBeLessThanOrEqual(prefill);
    // The catalog's whole-machine load for a composed PC: the board plus ~150 W.
    expect(prefill).toBeLessThanOrEqual(575 + 150);
    expect(utilisationOf(fit, 'unified', 'decode', 1)).toBeLessThanOrEqual(fit.utilisation.unified.prefill);
  });
});

describe("the host's busy draw", () => {
  it("a unified board's scales with it; a PC's is the table's", () => {
    expect(hostBusyW({ unified: true, chipW: 12 }, 'high')).toBeCloseTo(1.8, 6);
    expect(hostBusyW({ unified: true, chipW: 180 }, 'mid')).toBe(HOST_BUSY_W.unified.mid);
    expect(hostBusyW({ unified: false, chipW: 12 }, 'mid')).toBe(HOST_BUSY_W.discrete.mid);
  });
});
