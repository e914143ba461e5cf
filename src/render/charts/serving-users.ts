/**
 * Serving: tokens per second in all at 1, 4, 16 and 64 users for each machine (the levels whose KV
 * caches fit), with the band, and the level the answer names marked with its per-user speed.
 */
import { fmt, type Verdict } from '../../core/index.js';
import { linePanel, type LineSeries } from './lines.js';
import { colorOf, type Panel } from './svg.js';

export function servingUsersPanel(v: Verdict): Panel | undefined {
  const series: LineSeries[] = [];
  const figures: string[] = [];
  const said: string[] = [];
  const notes: string[] = [];
  const levels = new Set<number>();
  v.devices.forEach((e, i) => {
    const s = e.serving;
    const fitting = s?.levels.filter((l) => l.fits) ?? [];
    if (!s || !fitting.length) {
      notes.push(`${e.shortName}: not wholly in GPU memory, not served with batching`);
      said.push(`${e.shortName} does not serve it with batching`);
      return;
    }
    fitting.forEach((l) => levels.add(l.concurrency));
    const served = s.served;
    const label = served
      ? `${served.concurrency} user${served.concurrency === 1 ? '' : 's'}: ~${fmt.tps(served.perUserTokensPerSec)} tok/s each`
      : '';
    if (served) {
      figures.push(fmt.tps(served.aggregateTokensPerSec), fmt.tps(served.perUserTokensPerSec));
      said.push(
        `${e.shortName} serves ${served.concurrency} user${served.concurrency === 1 ? '' : 's'} at ~${fmt.tps(served.perUserTokensPerSec)} tok/s each, ~${fmt.tps(served.aggregateTokensPerSec)} in all`,
      );
    }
    series.push({
      color: colorOf(i),
      points: fitting.map((l) => ({
        x: Math.log2(l.concurrency),
        y: l.aggregateTokensPerSec,
        low: l.band.low,
        high: l.band.high,
      })),
      marks: served ? [{ x: Math.log2(served.concurrency), y: served.aggregateTokensPerSec, label }] : [],
      endLabel: fmt.tps(fitting.at(-1)!.aggregateTokensPerSec),
    });
  });
  if (!series.length) return undefined;
  const ticks = [...levels].sort((a, b) => a - b).map((u) => Math.log2(u));
  if (ticks.length < 2) ticks.push(ticks[0]! + 2);
  return linePanel({
    title: `Serving: tokens per second in all, by users (${fmt.kTokens(v.query.contextTokens)} each)`,
    legend: v.devices.map((e, i) => ({
      label: e.serving?.levels.some((l) => l.fits) ? e.shortName : `${e.shortName}: not served`,
      color: colorOf(i),
    })),
    yUnit: 'tok/s in all',
    xLabel: 'users at once',
    xTicks: ticks,
    xFormat: (x) => String(Math.round(2 ** x)),
    yFormat: (y) => fmt.tps(y),
    series,
    notes: ['dot: the most users each at a usable speed; shading: the band', ...notes],
    alt: `Serving ${v.model?.name ?? 'the model'}: ${said.join('; ')}.`,
    figures,
  });
}
