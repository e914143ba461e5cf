import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../../src/core/physics/cost.js';

const base = {
  priceUSD: { low: 3999, high: 3999 },
  idleW: 12,
  hoursPerDay: 8,
  kwhPrice: 0.16,
  years: 3,
  tokensPerSec: 50,
  tokensPerDay: null,
  apiPricePerMTok: null,
};

describe('cost', () => {
  it.each([
    [725, 338.72],
    [120, 56.06],
  ])("%d W in use for 8 h/day at $0.16/kWh is $%d a year (the seed's arithmetic)", (w, usd) => {
    expect(estimateCost({ ...base, inUseW: w }).inUsePerYearUSD).toBeCloseTo(usd, 1);
  });

  it('the other 16 hours are charged at idle: 12 W adds $11.21 a year', () => {
    const c = estimateCost({ ...base, inUseW: 120 });
    expect(c.idleRestOfDayPerYearUSD).toBeCloseTo(11.21, 1);
    expect(c.electricityPerYearUSD).toBeCloseTo(56.06 + 11.21, 1);
  });

  it('totals hardware and N years of electricity', () => {
    const c = estimateCost({ ...base, inUseW: 120 });
    expect(c.totalUSD.low).toBeCloseTo(3999 + 3 * (56.06 + 11.21), 0);
  });

  it('energy per token comes from the decode draw, not the in-use mix', () => {
    expect(estimateCost({ ...base, inUseW: 200, decodeW: 120 }).kWhPerMillionTokens).toBeCloseTo(0.6667, 3);
  });

  it('energy per token: 120 W at 50 tok/s is 0.667 kWh per million tokens', () => {
    expect(estimateCost({ ...base, inUseW: 120 }).kWhPerMillionTokens).toBeCloseTo(0.6667, 3);
  });

  it('break-even against an API: 1M tokens/day at $3/MTok pays $3,999 back in ~45 months', () => {
    const c = estimateCost({ ...base, inUseW: 120, tokensPerSec: 100, tokensPerDay: 1_000_000, apiPricePerMTok: 3 });
    expect(c.meetsDailyVolume).toBe(true);
    expect(c.breakEvenMonths!.low).toBeGreaterThan(44);
    expect(c.breakEvenMonths!.low).toBeLessThan(46);
  });

  it('flags a volume the machine cannot produce', () => {
    const c = estimateCost({ ...base, inUseW: 725, tokensPerSec: 10, tokensPerDay: 1_000_000, apiPricePerMTok: 3 });
    expect(c.capacityTokensPerDay).toBe(288_000);
    expect(c.meetsDailyVolume).toBe(false);
  });

  it('never breaks even when local electricity costs more than the API', () => {
    const c = estimateCost({
      ...base,
      inUseW: 725,
      kwhPrice: 5,
      tokensPerSec: 5,
      tokensPerDay: 10_000,
      apiPricePerMTok: 0.05,
    });
    expect(c.breakEvenMonths).toBeNull();
  });
});
