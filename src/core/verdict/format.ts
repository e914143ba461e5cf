/**
 * The one home of number formats. Both the core's sentences (headline, reasons, flags) and every
 * renderer print numbers, and the core may not import from src/render, so the formats live here and
 * src/render/shared.ts re-exports them: a figure reads the same in a reason and in a table cell.
 */
import type { Band } from '../catalog/specs.js';

export const fmt = {
  gb: (x: number) => (x >= 100 ? Math.round(x).toString() : x.toFixed(1)),
  tps: (x: number) =>
    (x >= 1000
      ? Math.round(x / 100) * 100
      : x >= 100
        ? Math.round(x / 5) * 5
        : x >= 20
          ? Math.round(x)
          : Math.round(x * 10) / 10
    ).toLocaleString('en-US'),
  usd: (x: number) => `$${Math.round(x).toLocaleString('en-US')}`,
  /** A token count as people write context sizes: "32k" (rounded down: "up to 18k" never overstates). */
  kTokens: (n: number) => (n >= 1024 ? `${Math.floor(n / 1024)}k` : `${n}`),
  ratio: (x: number) => (x >= 10 ? Math.round(x).toString() : x.toFixed(1)),
  /** Watts at the wall: "710", "72" (a reading's precision is a few percent at best). */
  watts: (x: number) => (x >= 100 ? Math.round(x / 5) * 5 : Math.round(x)).toLocaleString('en-US'),
  /** Hours of a long run: "0.4", "3.2", "14", "1,250". */
  hours: (x: number) => (x >= 10 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)),
};

/** "40-55 tok/s", or "48 tok/s" when both ends print alike. */
export function fmtBand(b: Band, unit: string): string {
  const r = (x: number) => (x >= 10 ? fmt.tps(x) : x.toFixed(1));
  return r(b.low) === r(b.high) ? `${r(b.low)} ${unit}` : `${r(b.low)}-${r(b.high)} ${unit}`;
}

/** Seconds for a reason: "850 ms", "2.5 s", "14 s". */
export function fmtSec(s: number): string {
  return s < 1 ? `${(s * 1000).toFixed(0)} ms` : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** Seconds for a table cell: "850 ms", "2.5 s", "14.2 s" (one decimal however long). */
export function fmtWait(s: number): string {
  return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(1)} s`;
}

export function fmtDb(b: Band): string {
  return b.low === b.high ? `${b.high} dBA` : `${b.low}-${b.high} dBA`;
}

/** A dollar band, "$3,058-$3,768", or one figure when the ends agree. */
export function fmtUsdBand(b: Band): string {
  return b.low === b.high ? fmt.usd(b.low) : `${fmt.usd(b.low)}-${fmt.usd(b.high)}`;
}

/** "40-55 months". */
export function fmtMonths(b: Band): string {
  return `${Math.round(b.low)}-${Math.round(b.high)} months`;
}
