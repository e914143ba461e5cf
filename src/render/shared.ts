/** Pieces every renderer shares, so Discord, Slack and the terminal say the same thing. */
import { fmt, type DeviceEvaluation, type Verdict } from '../core/index.js';

/** An image or video verdict asked without naming an LLM. */
export function isMediaOnly(v: Verdict): boolean {
  return (v.query.workflow === 'image' || v.query.workflow === 'video') && v.query.modelInput === null;
}

export function verdictTitle(v: Verdict): string {
  const q = v.query;
  const [a, b] = v.devices as [DeviceEvaluation, DeviceEvaluation];
  if (isMediaOnly(v))
    return `${q.workflow === 'image' ? 'Image' : 'Video'} generation: ${a.shortName} vs ${b.shortName}`;
  if (v.model) return `${v.model.name} · ${q.quant} · ${Math.round(q.contextTokens / 1024)}k context · ${q.workflow}`;
  return `${a.shortName} vs ${b.shortName}: the seed article's models, checked`;
}

/** "$3,058-$3,768 + $339/yr → $4,074-$4,784" (bold marks are the caller's). */
export function costParts(e: DeviceEvaluation): {
  hardware: string;
  perYear: string;
  total: string;
  breakEven: string;
} {
  const c = e.cost;
  const band = (b: { low: number; high: number }) =>
    b.low === b.high ? fmt.usd(b.low) : `${fmt.usd(b.low)}-${fmt.usd(b.high)}`;
  return {
    hardware: band(c.hardwareUSD),
    perYear: `${fmt.usd(c.electricityPerYearUSD)}/yr`,
    total: band(c.totalUSD),
    breakEven: c.breakEvenMonths
      ? `break-even ${Math.round(c.breakEvenMonths.low)}-${Math.round(c.breakEvenMonths.high)} months`
      : '',
  };
}
