/**
 * Cost of ownership: hardware, electricity at the user's hours and price, energy per token, local
 * cost per million tokens, and break-even against an API price.
 *
 * Electricity follows the machine's draw by activity (physics/power.ts): the hours of use at what
 * the workflow draws (decode for a chat, a request's prefill and decode by their share of its time,
 * image or training load), the rest of the day at idle. The seed charged its full-load figure for
 * every hour of use and nothing otherwise; a card decoding draws less than its limit, and a desktop
 * left on draws its idle all day.
 */
export interface CostInput {
  priceUSD: { low: number; high: number };
  /** The machine's draw at the wall during the hours of use, for the workflow (W). */
  inUseW: number;
  idleW: number;
  /** The draw while decoding, for energy per token; `inUseW` when absent. */
  decodeW?: number;
  hoursPerDay: number;
  kwhPrice: number;
  years: number;
  /** Decode speed the machine sustains for this model (null: it cannot run it). */
  tokensPerSec: number | null;
  tokensPerDay: number | null;
  apiPricePerMTok: number | null;
}

export interface CostEstimate {
  hardwareUSD: { low: number; high: number };
  /** The hours of use at the in-use draw plus the rest of the day at idle. */
  electricityPerYearUSD: number;
  /** The idle rest of the day's share of it (what switching the machine off would save). */
  idleRestOfDayPerYearUSD: number;
  totalUSD: { low: number; high: number };
  kWhPerMillionTokens: number | null;
  electricityPerMillionTokensUSD: number | null;
  /** Hardware amortized over the years plus electricity, per million tokens at the daily volume. */
  localPerMillionTokensUSD: { low: number; high: number } | null;
  capacityTokensPerDay: number | null;
  meetsDailyVolume: boolean | null;
  /** Months until the hardware has paid for itself against the API (null: never, or no API price). */
  breakEvenMonths: { low: number; high: number } | null;
  apiPerMonthUSD: number | null;
  /** The hours of use' share of the electricity, at the in-use draw. */
  inUsePerYearUSD: number;
}

const DAYS_PER_YEAR = 365;
const DAYS_PER_MONTH = 365 / 12;

export function estimateCost(c: CostInput): CostEstimate {
  const inUse = (c.inUseW * c.hoursPerDay * DAYS_PER_YEAR * c.kwhPrice) / 1000;
  const idleRest = (c.idleW * (24 - c.hoursPerDay) * DAYS_PER_YEAR * c.kwhPrice) / 1000;
  const electricityPerYear = inUse + idleRest;
  const total = {
    low: c.priceUSD.low + electricityPerYear * c.years,
    high: c.priceUSD.high + electricityPerYear * c.years,
  };
  const tps = c.tokensPerSec !== null && c.tokensPerSec > 0 ? c.tokensPerSec : null;
  const kWhPerMTok = tps ? ((c.decodeW ?? c.inUseW) / 1000) * (1e6 / tps / 3600) : null;
  const elecPerMTok = kWhPerMTok !== null ? kWhPerMTok * c.kwhPrice : null;
  const capacity = tps ? tps * 3600 * c.hoursPerDay : null;
  const volume = c.tokensPerDay ?? capacity;
  let localPerMTok: CostEstimate['localPerMillionTokensUSD'] = null;
  if (tps && volume && volume > 0 && elecPerMTok !== null) {
    const produced = Math.min(volume, capacity ?? volume) * DAYS_PER_YEAR * c.years;
    localPerMTok = {
      low: (c.priceUSD.low / produced) * 1e6 + elecPerMTok,
      high: (c.priceUSD.high / produced) * 1e6 + elecPerMTok,
    };
  }
  let breakEven: CostEstimate['breakEvenMonths'] = null;
  let apiPerMonth: number | null = null;
  if (c.apiPricePerMTok !== null && c.tokensPerDay !== null && elecPerMTok !== null) {
    apiPerMonth = (c.tokensPerDay / 1e6) * c.apiPricePerMTok * DAYS_PER_MONTH;
    const servable = Math.min(c.tokensPerDay, capacity ?? 0);
    const localPerMonth = (servable / 1e6) * elecPerMTok * DAYS_PER_MONTH;
    // Only the tokens the machine can actually produce replace API spend.
    const saved = (servable / 1e6) * c.apiPricePerMTok * DAYS_PER_MONTH - localPerMonth;
    if (saved > 0) breakEven = { low: c.priceUSD.low / saved, high: c.priceUSD.high / saved };
  }
  return {
    hardwareUSD: { ...c.priceUSD },
    electricityPerYearUSD: electricityPerYear,
    idleRestOfDayPerYearUSD: idleRest,
    totalUSD: total,
    kWhPerMillionTokens: kWhPerMTok,
    electricityPerMillionTokensUSD: elecPerMTok,
    localPerMillionTokensUSD: localPerMTok,
    capacityTokensPerDay: capacity,
    meetsDailyVolume: c.tokensPerDay !== null && capacity !== null ? c.tokensPerDay <= capacity : null,
    breakEvenMonths: breakEven,
    apiPerMonthUSD: apiPerMonth,
    inUsePerYearUSD: inUse,
  };
}
