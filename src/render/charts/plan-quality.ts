/**
 * A plan's picks as quality against speed: decode tok/s across, the quality score up, one colour
 * per machine, the band as a whisker, and a thin line joining one model's dots on two machines.
 * Scores from different benchmarks share no scale, so the panel plots the benchmark most picks
 * carry and says how many picks it leaves out.
 */
import { fmt, type Plan, type PlanPick } from '../../core/index.js';
import {
  circle,
  colorOf,
  fitText,
  GRID,
  legend,
  line,
  MUTED,
  niceTicks,
  overlaps,
  PLOT_LEFT,
  PLOT_RIGHT,
  text,
  textWidth,
  TYPE,
  WIDTH,
  type Box,
  type Panel,
} from './svg.js';

const PLOT_HEIGHT = 200;
const SPEED_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

interface Dot {
  pick: PlanPick & { decodeTokensPerSec: number; quality: NonNullable<PlanPick['quality']> };
  device: number;
}

/** A quality score as its benchmark prints it: "1,365", "75", "59.6". */
const scoreText = (x: number) => (Math.round(x * 10) / 10).toLocaleString('en-US');

const scored = (k: PlanPick): k is Dot['pick'] => k.decodeTokensPerSec !== null && k.quality !== null;

/** The benchmark most picks are scored on (the first seen wins a tie). */
function mainBenchmark(dots: Dot[]): string {
  const counts = new Map<string, number>();
  for (const d of dots) counts.set(d.pick.quality.benchmark, (counts.get(d.pick.quality.benchmark) ?? 0) + 1);
  return [...counts].reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/** `perMachine`: how many of each machine's picks to plot, best first. */
export function planQualityPanel(p: Plan, perMachine = 25): Panel | undefined {
  const all: Dot[] = p.devices.flatMap((d, device) =>
    d.picks
      .slice(0, perMachine)
      .filter(scored)
      .map((pick) => ({ pick, device })),
  );
  if (!all.length) return undefined;
  const benchmark = mainBenchmark(all);
  const dots = all.filter((d) => d.pick.quality.benchmark === benchmark);
  const left = all.length - dots.length;
  const speeds = dots.flatMap((d) => [
    d.pick.decodeBand?.low ?? d.pick.decodeTokensPerSec,
    d.pick.decodeBand?.high ?? d.pick.decodeTokensPerSec,
  ]);
  const lo = Math.min(...speeds);
  const hi = Math.max(...speeds);
  const log = hi / lo > 6;
  const xMin = log ? lo / 1.2 : 0;
  const xTicks = log ? SPEED_TICKS.filter((t) => t >= xMin && t <= hi * 1.2) : niceTicks(hi, 5);
  const xMax = log ? hi * 1.2 : xTicks.at(-1)!;
  const scores = dots.map((d) => d.pick.quality.score);
  const pad = Math.max((Math.max(...scores) - Math.min(...scores)) * 0.15, Math.abs(Math.max(...scores)) * 0.01, 1);
  const yTicks = niceTicks(Math.max(...scores) + pad, 4, Math.min(...scores) - pad);
  const [yMin, yMax] = [yTicks[0]!, yTicks.at(-1)!];

  const parts: string[] = [
    text(8, 16, 'Quality against speed: each machine’s picks', { size: TYPE.panel, weight: 'bold' }),
  ];
  const leg = legend(
    p.devices.map((d, i) => ({
      label: d.role ? `${d.shortName} (${d.role})` : d.shortName,
      color: colorOf(i),
      kind: 'dot' as const,
    })),
    38,
  );
  parts.push(leg.svg);
  const top = 38 + leg.height + 18;
  const bottom = top + PLOT_HEIGHT;
  const sx = (x: number) =>
    PLOT_LEFT +
    (log ? Math.log(x / xMin) / Math.log(xMax / xMin) : (x - xMin) / (xMax - xMin)) * (PLOT_RIGHT - PLOT_LEFT);
  const sy = (y: number) => bottom - ((y - yMin) / (yMax - yMin)) * PLOT_HEIGHT;

  parts.push(
    text(8, top - 10, fitText(`score: ${benchmark}`, WIDTH - 16, TYPE.tick), { size: TYPE.tick, fill: MUTED }),
  );
  for (const t of yTicks) {
    parts.push(line(PLOT_LEFT, sy(t), PLOT_RIGHT, sy(t), { stroke: GRID }));
    parts.push(text(PLOT_LEFT - 6, sy(t) + 4, scoreText(t), { anchor: 'end', fill: MUTED }));
  }
  for (const t of xTicks) {
    if (log) parts.push(line(sx(t), top, sx(t), bottom, { stroke: GRID }));
    parts.push(text(sx(t), bottom + 16, fmt.tps(t), { anchor: 'middle', fill: MUTED }));
  }
  parts.push(line(PLOT_LEFT, bottom, PLOT_RIGHT, bottom, { stroke: MUTED }));
  parts.push(
    text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 34, `decode tok/s${log ? ' (log scale)' : ''}, estimate`, {
      anchor: 'middle',
      size: TYPE.label,
    }),
  );

  // One model on several machines: a thin line shows what the machine alone changes.
  const byModel = new Map<string, Dot[]>();
  for (const d of dots) byModel.set(d.pick.model.id, [...(byModel.get(d.pick.model.id) ?? []), d]);
  for (const same of byModel.values())
    for (let i = 1; i < same.length; i++) {
      const [a, b] = [same[i - 1]!, same[i]!];
      parts.push(
        line(
          sx(a.pick.decodeTokensPerSec),
          sy(a.pick.quality.score),
          sx(b.pick.decodeTokensPerSec),
          sy(b.pick.quality.score),
          {
            stroke: MUTED,
            width: 1,
            dash: '2 2',
          },
        ),
      );
    }
  const taken: Box[] = dots.map((d) => ({
    x: sx(d.pick.decodeTokensPerSec) - 6,
    y: sy(d.pick.quality.score) - 6,
    w: 12,
    h: 12,
  }));
  for (const d of dots) {
    const [x, y] = [sx(d.pick.decodeTokensPerSec), sy(d.pick.quality.score)];
    const band = d.pick.decodeBand;
    if (band)
      parts.push(line(sx(band.low), y, sx(band.high), y, { stroke: colorOf(d.device), width: 2, opacity: 0.35 }));
    parts.push(circle(x, y, 5.5, colorOf(d.device)));
  }
  // Labels best pick first, each where it overlaps no dot and no other label; a crowded one is left out.
  const order = [...dots].sort((a, b) => b.pick.quality.score - a.pick.quality.score);
  const labelled: string[] = [];
  for (const d of order) {
    const [x, y] = [sx(d.pick.decodeTokensPerSec), sy(d.pick.quality.score)];
    const label = `${d.pick.model.name} ${d.pick.quant}`;
    const w = textWidth(label, TYPE.tick);
    const spots: Box[] = [
      { x: x + 8, y: y - 7, w, h: 14 },
      { x: x - 8 - w, y: y - 7, w, h: 14 },
      { x: x - w / 2, y: y - 22, w, h: 14 },
      { x: x - w / 2, y: y + 8, w, h: 14 },
    ];
    const spot = spots.find(
      (b) =>
        b.x >= PLOT_LEFT + 2 &&
        b.x + b.w <= WIDTH - 2 &&
        b.y >= top - 4 &&
        b.y + b.h <= bottom &&
        !taken.some((t) => overlaps(t, b)),
    );
    if (!spot) continue;
    taken.push(spot);
    labelled.push(label);
    parts.push(text(spot.x, spot.y + 11, label, { fill: colorOf(d.device), halo: true }));
  }
  const notes = [
    'whisker: the decode band; dotted: one model on two machines',
    ...(left ? [`${left} pick${left === 1 ? '' : 's'} scored on other benchmarks not plotted`] : []),
  ];
  let ny = bottom + 56;
  for (const n of notes) {
    parts.push(text(8, ny, n, { fill: MUTED }));
    ny += 17;
  }
  const best = p.devices
    .map((dev, i) => {
      const top1 = dots.find((d) => d.device === i);
      return top1
        ? `${dev.shortName}'s top pick ${top1.pick.model.name} ${top1.pick.quant} at ~${fmt.tps(top1.pick.decodeTokensPerSec)} tok/s, score ${scoreText(top1.pick.quality.score)}`
        : `${dev.shortName} has no pick scored on it`;
    })
    .join('; ');
  return {
    height: ny - 4,
    svg: parts.join(''),
    alt: `Plan for ${p.query.workflow}, quality (${benchmark}) against decode speed: ${best}.`,
    figures: [...labelled, ...dots.map((d) => fmt.tps(d.pick.decodeTokensPerSec))],
  };
}
