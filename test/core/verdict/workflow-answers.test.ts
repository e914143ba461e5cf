/**
 * Answers that speak of the workflow asked (issue 16): electricity from what the machine draws
 * doing it, a machine's own reading over the model, a serving answer in users served at a speed, a
 * fine-tuning answer in hours per epoch; and the verdict JSON carrying the figures.
 */
import { describe, expect, it } from 'vitest';
import {
  activityPower,
  chipOfMachine,
  powerMachineOf,
  understand,
  verdictJson,
  type Verdict,
} from '../../../src/core/index.js';
import { powerFlags } from '../../../src/core/verdict/flags.js';
import { catalog, device, verdict } from '../../helpers/catalog.js';
import { evaluation, power } from './evaluation.js';

const of = (v: Verdict, id: string) => v.devices.find((e) => e.id === id)!;

describe('electricity follows the draw by activity', () => {
  const chat = verdict({ model: 'llama-3.1-8b', workflow: 'chat', hoursPerDay: 8, kwhPrice: 0.16 });
  const rtx = of(chat, 'rtx-5090');

  it("an RTX 5090 decoding 8 h a day costs less than the seed's full-load figure (725 W x 8 h x $0.16 = $339)", () => {
    const fullLoad = (725 * 8 * 365 * 0.16) / 1000;
    expect(rtx.cost.inUsePerYearUSD).toBeLessThan(fullLoad);
    expect(rtx.power.inUse.watts).toBeLessThan(725);
  });

  it('the other 16 hours are charged at idle, not at load and not at nothing', () => {
    const idle = (rtx.power.activities.idle.watts * 16 * 365 * 0.16) / 1000;
    expect(rtx.cost.idleRestOfDayPerYearUSD).toBeCloseTo(idle, 6);
    expect(rtx.cost.electricityPerYearUSD).toBeCloseTo(rtx.cost.inUsePerYearUSD + idle, 6);
  });

  it('a chat hour is mostly decode; a RAG hour spends more of it reading 16k-token prompts', () => {
    const rag = of(verdict({ model: 'llama-3.1-8b', workflow: 'rag' }), 'mac-studio-m4-max-128gb');
    const mac = of(chat, 'mac-studio-m4-max-128gb');
    expect(mac.power.inUse.shares.decode).toBeGreaterThan(0.8);
    expect(rag.power.inUse.shares.prefill!).toBeGreaterThan(mac.power.inUse.shares.prefill!);
  });

  it('energy per million tokens is the decode draw over the decode speed', () => {
    const kWh = ((rtx.power.activities.decode.watts / 1000) * (1e6 / rtx.decodeTokensPerSec!)) / 3600;
    expect(rtx.cost.kWhPerMillionTokens).toBeCloseTo(kWh, 6);
  });
});

describe("a machine's own published reading wins over the model", () => {
  const rtx = of(verdict({ model: 'llama-3.1-8b' }), 'rtx-5090');
  const record = device('rtx-5090').record;
  const chip = chipOfMachine(catalog, 'rtx-5090')!;

  it('the RTX 5090 decode draw is measured, with its source, and differs from what the model alone says', () => {
    const decode = rtx.power.activities.decode;
    const modelOnly = activityPower(powerMachineOf(record, chip.powerW, []), 'decode', catalog.power);
    expect(decode.basis).toBe('measured');
    expect(decode.source).toMatch(/^https:\/\//);
    expect(modelOnly.basis).toBe('estimate');
    expect(decode.watts).not.toBeCloseTo(modelOnly.watts, 0);
  });

  it('a machine without readings is estimated from its rating', () => {
    const mac = of(verdict({ model: 'llama-3.1-8b' }), 'mac-studio-m4-max-128gb');
    expect(mac.power.activities.decode.basis).toBe('estimate');
    expect(mac.power.loadW).toBe(120);
  });

  it("the seed's 725 W and ~120 W stay as reported figures, placed against the full-load band", () => {
    const v = verdict({ model: 'llama-3.1-8b' });
    for (const [id, w] of [
      ['rtx-5090', 725],
      ['mac-studio-m4-max-128gb', 120],
    ] as const) {
      const r = of(v, id).power.reported!;
      expect(r.reportedW).toBe(w);
      expect(r.conflict).toBe(r.position !== 'within');
    }
  });

  it('a reported load figure outside the band is a seed-conflict flag naming both figures', () => {
    const e = evaluation({
      id: 'rtx-5090',
      shortName: 'RTX 5090',
      power: {
        ...power(300, 725),
        reported: {
          reportedW: 725,
          estimateW: 400,
          band: { low: 350, high: 450 },
          ratio: 725 / 400,
          position: 'above',
          conflict: true,
          source: 'seed-compute-market-2026',
          subject: 'system-load',
        },
      },
      reported: [...catalog.reportedFor('rtx-5090')],
    });
    const [flag] = powerFlags(catalog, [e, evaluation()]);
    expect(flag).toMatchObject({ kind: 'seed-conflict', device: 'rtx-5090', subject: 'system-load' });
    expect(flag?.kind === 'seed-conflict' && flag.facts.claimed).toBe('725 W');
    expect(flag?.kind === 'seed-conflict' && flag.estimate).toMatch(/W flat out \(band .* W, estimate\)/);
  });
});

describe('a serving answer speaks of users served at a speed', () => {
  const v = verdict({ model: 'llama-3.1-8b', workflow: 'serving' });

  it('the headline names each machine with its users and per-user speed, not batch-1 decode', () => {
    for (const e of v.devices) expect(v.verdict.headline).toContain(`${e.shortName}: `);
    expect(v.verdict.headline).toMatch(/\d+ users at ~[\d,.]+ tok\/s each, ~[\d,.]+ tok\/s in all/);
    expect(v.verdict.headline).not.toMatch(/x faster|per serving request/);
  });

  it('each machine carries 1, 4, 16 and 64 users, aggregate over per-user, and the most that fit', () => {
    for (const e of v.devices) {
      const s = e.serving!;
      expect(s.levels.map((l) => l.concurrency)).toEqual([1, 4, 16, 64]);
      for (const l of s.levels) expect(l.aggregateTokensPerSec).toBeCloseTo(l.concurrency * l.perUserTokensPerSec, 6);
      for (const l of s.levels) expect(l.fits).toBe(l.concurrency <= s.maxConcurrency);
      expect(s.served!.fits).toBe(true);
    }
  });

  it('the reasons give every level, and the caveat is about batching, not llama.cpp at batch 1', () => {
    expect(v.verdict.reasons.some((r) => /16 ~[\d,.]+ each \(~[\d,.]+ in all\)/.test(r))).toBe(true);
    expect(v.verdict.caveats.join(' ')).toMatch(/Serving speeds are estimates/);
    expect(v.verdict.caveats.join(' ')).not.toMatch(/llama\.cpp at batch 1/);
  });
});

describe('a fine-tuning answer says whether each method fits and hours per epoch', () => {
  const v = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune' });

  it('a QLoRA verdict gives hours per epoch on each machine, for the default 10M-token dataset said aloud', () => {
    expect(v.verdict.headline).toMatch(/^Fine-tuning Llama 3\.1 8B \(10M-token dataset\)/);
    expect(v.verdict.headline).toMatch(/QLoRA \(~[\d.]+ GB, ~[\d.]+ h an epoch\)/);
    expect(v.verdict.caveats.join(' ')).toMatch(/10M tokens assumed/);
    for (const e of v.devices) expect(e.fineTune[0]!.hoursPerEpoch).toBeGreaterThan(0);
  });

  it('a stated dataset five times larger takes five times as long', () => {
    const big = verdict({ model: 'llama-3.1-8b', workflow: 'fine-tune', datasetTokens: 50_000_000 });
    const h = (x: Verdict) => x.devices[0]!.fineTune[0]!.hoursPerEpoch!;
    expect(h(big) / h(v)).toBeCloseTo(5, 6);
    expect(big.verdict.headline).toContain('(50M-token dataset)');
  });

  it('a dataset size said in words is read ("a 50M-token dataset", "dataset of 20m tokens")', () => {
    const read = (t: string) => {
      const u = understand(catalog, t);
      return u.ok ? u.value.input.datasetTokens : undefined;
    };
    expect(read('fine-tune llama 3.1 8b with qlora on a 50M-token dataset')).toBe(50_000_000);
    expect(read('qlora llama 8b, dataset of 20m tokens')).toBe(20_000_000);
    expect(read('serve llama 8b at 1m tokens/day')).toBeUndefined();
  });

  it('a method that does not fit has no speed', () => {
    const full = v.devices[0]!.fineTune.find((f) => f.method === 'full')!;
    expect(full.fits).toBe(false);
    expect(full.tokensPerSec).toBeNull();
    expect(full.hoursPerEpoch).toBeNull();
  });
});

describe('the verdict JSON carries the new figures (additively)', () => {
  const json = (input: Record<string, unknown>) =>
    JSON.parse(verdictJson(verdict(input))) as {
      devices: Record<string, unknown>[];
      query: Record<string, unknown>;
      sources: { id: string }[];
    };

  it('power by activity, the in-use draw and the in-use electricity, beside the kept load figure', () => {
    const d = json({ model: 'llama-3.1-8b' }).devices[0] as {
      power: { loadW: number; activities: Record<string, { watts: number; basis: string }>; inUse: { watts: number } };
      cost: { inUsePerYearUSD: number; electricityPerYearUSD: number };
    };
    expect(d.power.loadW).toBe(725);
    expect(Object.keys(d.power.activities)).toEqual(['idle', 'decode', 'prefill', 'image', 'video', 'training']);
    expect(typeof d.power.inUse.watts).toBe('number');
    expect(typeof d.cost.inUsePerYearUSD).toBe('number');
  });

  it('serving levels on a serving question, fine-tuning speed on a fine-tuning one, the dataset in the query', () => {
    const serving = json({ model: 'llama-3.1-8b', workflow: 'serving' });
    expect((serving.devices[0] as { serving: { levels: unknown[] } }).serving.levels).toHaveLength(4);
    expect(serving.sources.map((s) => s.id)).toContain('serving');
    const ft = json({ model: 'llama-3.1-8b', workflow: 'fine-tune' });
    const item = (ft.devices[0] as { fineTune: Record<string, unknown>[] }).fineTune[0]!;
    expect(Object.keys(item)).toEqual(
      expect.arrayContaining(['tokensPerSec', 'tokensPerSecBand', 'hoursPerEpoch', 'hoursPerEpochBand']),
    );
    expect(ft.query.datasetTokens).toBeNull();
    expect(json({ model: 'llama-3.1-8b' }).devices[0]).not.toHaveProperty('serving');
  });
});
