/**
 * A line panel: one line per machine with its band shaded, figures printed at marked points and at
 * the right end, vertical markers (a crossing, a break-even span) and notes under the plot. The
 * decode-depth and cost charts are built on it.
 */
import {
  circle,
  GRID,
  legend,
  line,
  MUTED,
  niceTicks,
  overlaps,
  PLOT_LEFT,
  PLOT_RIGHT,
  polygon,
  polyline,
  rect,
  text,
  textWidth,
  TYPE,
  WIDTH,
  type Box,
  type Panel,
} from './svg.js';

export interface LinePoint {
  x: number;
  y: number;
  low?: number;
  high?: number;
}

export interface LineSeries {
  color: string;
  points: LinePoint[];
  dash?: string;
  /** Dots with their figure printed beside them. */
  marks?: { x: number; y: number; label: string }[];
  /** The figure printed right of the line's last point. */
  endLabel?: string;
}

export interface Vertical {
  x: number;
  /** A span from x to x2, shaded, instead of a line. */
  x2?: number;
  color: string;
  label: string;
}

export interface LinePanelSpec {
  title: string;
  legend: { label: string; color: string; kind?: 'line' | 'dot' | 'dash' }[];
  /** The y axis's unit, printed above it ("tok/s", "USD"). */
  yUnit: string;
  xLabel: string;
  xTicks: number[];
  xFormat: (x: number) => string;
  yFormat: (y: number) => string;
  series: LineSeries[];
  verticals?: Vertical[];
  notes?: string[];
  alt: string;
  figures: string[];
}

const PLOT_HEIGHT = 150;

export function linePanel(spec: LinePanelSpec): Panel {
  const parts: string[] = [text(8, 16, spec.title, { size: TYPE.panel, weight: 'bold' })];
  const leg = legend(spec.legend, 38);
  parts.push(leg.svg);
  const top = 38 + leg.height + 18;
  const bottom = top + PLOT_HEIGHT;
  const xMin = spec.xTicks[0]!;
  const xMax = spec.xTicks.at(-1)!;
  const highs = spec.series.flatMap((s) => s.points.map((p) => p.high ?? p.y));
  const yTicks = niceTicks(Math.max(...highs, 1e-9), 4);
  const yMax = yTicks.at(-1)!;
  const sx = (x: number) => PLOT_LEFT + ((x - xMin) / (xMax - xMin || 1)) * (PLOT_RIGHT - PLOT_LEFT);
  const sy = (y: number) => bottom - (Math.max(0, Math.min(y, yMax)) / yMax) * PLOT_HEIGHT;

  parts.push(text(8, top - 10, spec.yUnit, { size: TYPE.tick, fill: MUTED }));
  for (const t of yTicks) {
    parts.push(line(PLOT_LEFT, sy(t), PLOT_RIGHT, sy(t), { stroke: GRID }));
    parts.push(text(PLOT_LEFT - 6, sy(t) + 4, spec.yFormat(t), { anchor: 'end', fill: MUTED }));
  }
  for (const t of spec.xTicks) parts.push(text(sx(t), bottom + 16, spec.xFormat(t), { anchor: 'middle', fill: MUTED }));
  parts.push(line(PLOT_LEFT, bottom, PLOT_RIGHT, bottom, { stroke: MUTED }));
  parts.push(text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 34, spec.xLabel, { anchor: 'middle', size: TYPE.label }));

  const taken: Box[] = [];
  for (const v of spec.verticals ?? []) {
    const x1 = sx(v.x);
    if (v.x2 !== undefined) parts.push(rect(x1, top, sx(v.x2) - x1, PLOT_HEIGHT, v.color, { opacity: 0.13 }));
    else parts.push(line(x1, top, x1, bottom, { stroke: v.color, width: 1.5, dash: '4 3' }));
  }
  for (const s of spec.series) {
    const banded = s.points.filter((p) => p.low !== undefined && p.high !== undefined);
    if (banded.length > 1)
      parts.push(
        polygon(
          [
            ...banded.map((p): [number, number] => [sx(p.x), sy(p.high!)]),
            ...[...banded].reverse().map((p): [number, number] => [sx(p.x), sy(p.low!)]),
          ],
          s.color,
          0.16,
        ),
      );
  }
  for (const s of spec.series)
    parts.push(
      polyline(
        s.points.map((p) => [sx(p.x), sy(p.y)]),
        { stroke: s.color, width: 3, ...(s.dash ? { dash: s.dash } : {}) },
      ),
    );
  parts.push(...endLabels(spec.series, sx, sy));
  // Vertical markers' labels, then the marks' figures, each where it overlaps nothing already placed.
  verticalLabels(spec.verticals ?? [], sx, top, taken, parts);
  // The lines themselves, as small boxes every few pixels: a figure should not sit on a line.
  const onLines: Box[] = spec.series.flatMap((s) => alongLine(s.points.map((p) => [sx(p.x), sy(p.y)])));
  for (const s of spec.series)
    for (const m of s.marks ?? []) {
      const [x, y] = [sx(m.x), sy(m.y)];
      parts.push(circle(x, y, 4.5, s.color));
      const w = textWidth(m.label, TYPE.tick, 'bold');
      const spots: Box[] = [-20, 6, -34, 20].flatMap((dy) => [
        { x: x + 7, y: y + dy, w, h: 14 },
        { x: x - 7 - w, y: y + dy, w, h: 14 },
      ]);
      const inside = spots.filter(
        (b) => b.x >= PLOT_LEFT && b.x + b.w <= WIDTH - 2 && b.y >= top - 16 && b.y + b.h <= bottom,
      );
      // A figure the answer states is always printed: where it crosses nothing, else where it overlaps no label.
      const spot =
        inside.find((b) => ![...taken, ...onLines].some((t) => overlaps(t, b))) ??
        inside.find((b) => !taken.some((t) => overlaps(t, b))) ??
        inside[0];
      if (!spot) continue;
      taken.push(spot);
      parts.push(text(spot.x, spot.y + 11, m.label, { fill: s.color, weight: 'bold', halo: true }));
    }
  let y = bottom + 56;
  for (const n of spec.notes ?? []) {
    parts.push(text(8, y, n, { fill: MUTED }));
    y += 17;
  }
  return { height: y - 4, svg: parts.join(''), alt: spec.alt, figures: spec.figures };
}

/** Each series' last figure right of the plot, nudged apart when two ends meet. */
function endLabels(series: LineSeries[], sx: (x: number) => number, sy: (y: number) => number): string[] {
  const ends = series
    .filter((s) => s.endLabel && s.points.length)
    .map((s) => {
      const p = s.points.at(-1)!;
      return { s, x: sx(p.x) + 6, y: sy(p.y) + 4 };
    })
    .sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; i++) ends[i]!.y = Math.max(ends[i]!.y, ends[i - 1]!.y + 15);
  return ends.map((e) => text(e.x, e.y, e.s.endLabel!, { fill: e.s.color, weight: 'bold' }));
}

function verticalLabels(vs: Vertical[], sx: (x: number) => number, top: number, taken: Box[], parts: string[]) {
  let row = 0;
  for (const v of vs) {
    const x = sx(v.x2 !== undefined ? (v.x + v.x2) / 2 : v.x);
    const w = textWidth(v.label, TYPE.tick);
    const left = x > (PLOT_LEFT + PLOT_RIGHT) / 2;
    const bx = Math.max(2, Math.min(WIDTH - 2 - w, left ? x - 5 - w : x + 5));
    const box = { x: bx, y: top + 2 + row * 15, w, h: 14 };
    taken.push(box);
    parts.push(text(box.x, box.y + 11, v.label, { fill: v.color, halo: true }));
    row++;
  }
}

/** Boxes along a polyline, one every few pixels, for keeping labels off it. */
function alongLine(points: [number, number][]): Box[] {
  const boxes: Box[] = [];
  for (let i = 1; i < points.length; i++) {
    const [[x0, y0], [x1, y1]] = [points[i - 1]!, points[i]!];
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 4));
    for (let k = 0; k <= steps; k++) {
      const t = k / steps;
      boxes.push({ x: x0 + (x1 - x0) * t - 2, y: y0 + (y1 - y0) * t - 2, w: 4, h: 4 });
    }
  }
  return boxes;
}
