/**
 * Cost over the years: hardware plus electricity, cumulative at each year, one line per machine
 * (shaded between the hardware price's low and high ends). With an API price and a daily volume
 * the API's spend is a dashed line, and each machine's break-even (the verdict's own months, which
 * count only the tokens the machine can produce) a shaded span.
 */
import { fmt, fmtUsdBand, type Verdict } from '../../core/index.js';
import { linePanel, type LinePanelSpec, type LineSeries, type Vertical } from './lines.js';
import { colorOf, INK, type Panel } from './svg.js';

/** "$4k", "$12.5k", "$800". */
const usdTick = (x: number) =>
  x >= 1000 ? `$${(x / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k` : `$${Math.round(x)}`;

export function costYearsPanel(v: Verdict): Panel | undefined {
  const years = v.cost.years;
  if (!v.devices.length || years < 1) return undefined;
  const yearsAxis = Array.from({ length: years + 1 }, (_, i) => i);
  const series: LineSeries[] = [];
  const verticals: Vertical[] = [];
  const notes: string[] = [];
  const figures: string[] = [];
  const said: string[] = [];
  v.devices.forEach((e, i) => {
    const c = v.cost.perDevice.find((p) => p.id === e.id);
    if (!c) return;
    const color = colorOf(i);
    const at = (y: number, hw: number) => hw + c.electricityPerYearUSD * y;
    const total = fmtUsdBand(c.totalUSD);
    figures.push(total);
    said.push(`${e.shortName} ${total}`);
    series.push({
      color,
      points: yearsAxis.map((y) => ({
        x: y,
        y: at(y, (c.hardwareUSD.low + c.hardwareUSD.high) / 2),
        low: at(y, c.hardwareUSD.low),
        high: at(y, c.hardwareUSD.high),
      })),
      marks: [{ x: years, y: at(years, (c.hardwareUSD.low + c.hardwareUSD.high) / 2), label: total }],
    });
    const be = c.breakEvenMonths;
    if (be) {
      const months = `${Math.round(be.low)}${Math.round(be.high) !== Math.round(be.low) ? `-${Math.round(be.high)}` : ''} months`;
      figures.push(months);
      said.push(`${e.shortName} pays for itself against the API in ${months}`);
      if (be.low / 12 <= years)
        verticals.push({
          x: be.low / 12,
          x2: Math.max(Math.min(be.high / 12, years), be.low / 12 + years / 200),
          color,
          label: `${e.shortName} pays off: ${months}`,
        });
      else notes.push(`${e.shortName} pays off against the API after ${months}, past the ${years} years shown`);
    } else if (c.apiPerMonthUSD !== null) {
      notes.push(`${e.shortName} never pays for itself against the API at this volume`);
      said.push(`${e.shortName} never pays for itself against the API`);
    }
  });
  if (!series.length) return undefined;
  const api = v.cost.perDevice.find((p) => p.apiPerMonthUSD !== null)?.apiPerMonthUSD ?? null;
  const q = v.query;
  const legend: LinePanelSpec['legend'] = v.devices.map((e, i) => ({ label: e.shortName, color: colorOf(i) }));
  if (api !== null) {
    const apiTotal = fmt.usd(api * 12 * years);
    figures.push(apiTotal);
    said.push(`the API ${apiTotal}`);
    series.push({
      color: INK,
      dash: '6 4',
      points: yearsAxis.map((y) => ({ x: y, y: api * 12 * y })),
      marks: [{ x: years, y: api * 12 * years, label: `API ${apiTotal}` }],
    });
    legend.push({ label: `API at $${q.apiPricePerMTok}/M tokens`, color: INK, kind: 'dash' });
  }
  return linePanel({
    title: `Cost over ${years} year${years === 1 ? '' : 's'}: hardware + electricity`,
    legend,
    yUnit: 'USD',
    xLabel: 'years of ownership',
    xTicks: yearsAxis.filter((y) => years <= 6 || y % 2 === 0 || y === years),
    xFormat: (x) => String(x),
    yFormat: usdTick,
    series,
    verticals,
    notes: [
      `electricity: ${q.hoursPerDay} h/day in use, idle otherwise, at $${q.kwhPrice}/kWh${
        api !== null && q.tokensPerDay !== null
          ? `; ${Math.round(q.tokensPerDay).toLocaleString('en-US')} tokens/day`
          : ''
      }`,
      ...notes,
    ],
    alt: `Cost over ${years} years, hardware plus electricity: ${said.join('; ')}.`,
    figures,
  });
}
