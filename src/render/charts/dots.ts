/**
 * A dot panel: rows of a few machines each, a dot per machine at its figure with the band as a
 * whisker and the figure printed beside it, on a shared (often logarithmic) axis. Image seconds,
 * clip minutes, hours per epoch and the plain decode comparison are built on it.
 */
import type { Band } from '../../core/index.js';
import {
  circle,
  fitText,
  GRID,
  legend,
  line,
  MUTED,
  PLOT_LEFT,
  PLOT_RIGHT,
  text,
  textWidth,
  TYPE,
  WIDTH,
  type Panel,
} from './svg.js';

export interface DotCell {
  color: string;
  /** The figure, or null with `text` saying why there is none. */
  value: number | null;
  band?: Band | null;
  text: string;
}

export interface DotRow {
  label: string;
  cells: DotCell[];
}

export interface DotAxis {
  kind: 'log' | 'linear';
  /** The axis's ends (its ticks lie inside). */
  min: number;
  max: number;
  ticks: number[];
  format: (x: number) => string;
  label: string;
}

export interface DotPanelSpec {
  title: string;
  legend: { label: string; color: string }[];
  rows: DotRow[];
  axis: DotAxis;
  notes?: string[];
  alt: string;
  figures: string[];
}

const ROW_LABEL = 17;
const CELL = 19;

export function dotPanel(spec: DotPanelSpec): Panel {
  const parts: string[] = [text(8, 16, spec.title, { size: TYPE.panel, weight: 'bold' })];
  const leg = legend(
    spec.legend.map((l) => ({ ...l, kind: 'dot' as const })),
    38,
  );
  parts.push(leg.svg);
  const top = 38 + leg.height + 6;
  const { axis } = spec;
  const t = (x: number) =>
    axis.kind === 'log'
      ? (Math.log(x) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min))
      : (x - axis.min) / (axis.max - axis.min);
  const sx = (x: number) => PLOT_LEFT + Math.max(0, Math.min(1, t(x))) * (PLOT_RIGHT - PLOT_LEFT);
  const height = spec.rows.reduce((h, r) => h + ROW_LABEL + r.cells.length * CELL + 6, 0);
  const bottom = top + height;
  for (const tick of axis.ticks) {
    parts.push(line(sx(tick), top, sx(tick), bottom, { stroke: GRID }));
    parts.push(text(sx(tick), bottom + 16, axis.format(tick), { anchor: 'middle', fill: MUTED }));
  }
  parts.push(line(PLOT_LEFT, bottom, PLOT_RIGHT, bottom, { stroke: MUTED }));
  parts.push(text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 34, axis.label, { anchor: 'middle', size: TYPE.label }));
  let y = top;
  for (const row of spec.rows) {
    parts.push(
      text(8, y + 13, fitText(row.label, WIDTH - 16, TYPE.label, 'bold'), {
        size: TYPE.label,
        weight: 'bold',
        halo: true,
      }),
    );
    y += ROW_LABEL;
    for (const c of row.cells) {
      const cy = y + CELL / 2;
      if (c.value === null) {
        parts.push(text(PLOT_LEFT, cy + 4, c.text, { fill: c.color }));
      } else {
        const lo = sx(c.band?.low ?? c.value);
        const hi = sx(c.band?.high ?? c.value);
        if (hi - lo > 1) {
          parts.push(line(lo, cy, hi, cy, { stroke: c.color, width: 3, opacity: 0.45 }));
          parts.push(line(lo, cy - 4, lo, cy + 4, { stroke: c.color, width: 2, opacity: 0.6 }));
          parts.push(line(hi, cy - 4, hi, cy + 4, { stroke: c.color, width: 2, opacity: 0.6 }));
        }
        parts.push(circle(sx(c.value), cy, 5.5, c.color));
        const w = textWidth(c.text, TYPE.tick, 'bold');
        const right = hi + 6 + w <= WIDTH - 4;
        parts.push(
          text(right ? hi + 6 : lo - 6, cy + 4, c.text, {
            fill: c.color,
            weight: 'bold',
            anchor: right ? 'start' : 'end',
            halo: true,
          }),
        );
      }
      y += CELL;
    }
    y += 6;
  }
  let ny = bottom + 56;
  for (const n of spec.notes ?? []) {
    parts.push(text(8, ny, n, { fill: MUTED }));
    ny += 17;
  }
  return { height: ny - 4, svg: parts.join(''), alt: spec.alt, figures: spec.figures };
}

/** Durations people read at a glance, in seconds: the log axis's tick candidates. */
const DURATION_TICKS = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 18000, 36000, 86400, 172800, 432000,
  864000, 1728000, 4320000,
];

/** "850 ms", "7.2 s", "2.4 min", "10 h", "3.5 days". */
export function fmtDuration(s: number): string {
  const one = (x: number) => (x >= 10 ? Math.round(x).toLocaleString('en-US') : (Math.round(x * 10) / 10).toString());
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${one(s)} s`;
  if (s < 3600) return `${one(s / 60)} min`;
  if (s < 86400) return `${one(s / 3600)} h`;
  const days = one(s / 86400);
  return `${days} day${days === '1' ? '' : 's'}`;
}

/** A log axis of durations (seconds) wide enough for every band given. */
export function durationAxis(values: number[], label: string): DotAxis {
  let lo = Math.min(...values) / 1.25;
  let hi = Math.max(...values) * 1.25;
  let ticks = DURATION_TICKS.filter((x) => x >= lo && x <= hi);
  if (ticks.length < 2) {
    // A narrow range: widen it to the round durations either side, so the axis has two ticks to read.
    lo = Math.min(lo, ...DURATION_TICKS.filter((x) => x <= lo).slice(-1));
    hi = Math.max(hi, ...DURATION_TICKS.filter((x) => x >= hi).slice(0, 1));
    ticks = DURATION_TICKS.filter((x) => x >= lo && x <= hi);
  }
  if (ticks.length > 6) {
    const stride = Math.ceil(ticks.length / 6);
    ticks = ticks.filter((_, i) => i % stride === 0);
  }
  return { kind: 'log', min: lo, max: hi, ticks, format: fmtDuration, label };
}
