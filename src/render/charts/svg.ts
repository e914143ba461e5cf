/**
 * The SVG vocabulary every chart shares: the palette, type sizes, element builders, text width and
 * axis ticks. Charts are laid out at 1x on a 520 px wide canvas (the width Discord and Slack show a
 * preview at) and rendered at 2x by png.ts.
 */

/** Canvas width at 1x. */
export const WIDTH = 520;
/** Left and right edges of a plot area: room for tick labels on the left, end labels on the right. */
export const PLOT_LEFT = 58;
export const PLOT_RIGHT = WIDTH - 62;

/**
 * Okabe-Ito, the palette readers with any common colour-vision deficiency tell apart, in the order
 * machines take it (yellow left out: it vanishes on white).
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const;
export const INK = '#1b1b1b';
export const MUTED = '#595959';
export const GRID = '#e4e4e4';
export const FONT_FAMILY = 'DejaVu Sans';

/** Type sizes at 1x: nothing a reader needs is under 12 px. */
export const TYPE = { title: 16, panel: 14, label: 13, tick: 12 } as const;

export const colorOf = (i: number): string => PALETTE[i % PALETTE.length]!;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate to a tenth of a pixel: short, and the same string on every machine. */
export const num = (x: number): string => {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
};

interface TextStyle {
  size?: number;
  weight?: 'bold' | 'normal';
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  /** A white outline under the glyphs, so a label stays legible over lines and bands. */
  halo?: boolean;
}

export function text(x: number, y: number, s: string, o: TextStyle = {}): string {
  const attrs = [
    `x="${num(x)}"`,
    `y="${num(y)}"`,
    `font-size="${o.size ?? TYPE.tick}"`,
    o.weight === 'bold' ? 'font-weight="bold"' : '',
    o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
    `fill="${o.fill ?? INK}"`,
    o.halo ? 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${esc(s)}</text>`;
}

interface StrokeStyle {
  stroke?: string;
  width?: number;
  dash?: string;
  opacity?: number;
}

const strokeAttrs = (o: StrokeStyle) =>
  [
    `stroke="${o.stroke ?? INK}"`,
    `stroke-width="${o.width ?? 1}"`,
    o.dash ? `stroke-dasharray="${o.dash}"` : '',
    o.opacity !== undefined ? `stroke-opacity="${o.opacity}"` : '',
  ]
    .filter(Boolean)
    .join(' ');

export function line(x1: number, y1: number, x2: number, y2: number, o: StrokeStyle = {}): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" ${strokeAttrs(o)}/>`;
}

export function polyline(points: readonly [number, number][], o: StrokeStyle = {}): string {
  const pts = points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
  return `<polyline points="${pts}" fill="none" stroke-linejoin="round" stroke-linecap="round" ${strokeAttrs(o)}/>`;
}

export function polygon(points: readonly [number, number][], fill: string, opacity: number): string {
  const pts = points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
  return `<polygon points="${pts}" fill="${fill}" fill-opacity="${opacity}"/>`;
}

export function rect(
  x: number,
  y: number,
  w: number,
  h: number,
  fill: string,
  o: { opacity?: number; stroke?: string } = {},
): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(Math.max(0, w))}" height="${num(Math.max(0, h))}" fill="${fill}"${
    o.opacity !== undefined ? ` fill-opacity="${o.opacity}"` : ''
  }${o.stroke ? ` stroke="${o.stroke}" stroke-width="1"` : ''}/>`;
}

export function circle(x: number, y: number, r: number, fill: string, stroke = '#ffffff'): string {
  return `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`;
}

// Advance widths of DejaVu Sans and DejaVu Sans Bold for ASCII 32-126, in thousandths of an em
// (read from the fonts' hmtx tables), so labels can be placed without measuring at render time.
const REGULAR = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636,
  636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863,
  748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635,
  615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636,
  337, 636, 838,
];
const BOLD = [
  348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696, 696,
  696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775, 637, 995,
  837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716,
  678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712,
  365, 712, 838,
];
const OTHER: Record<string, number> = { '≈': 838, '×': 838, µ: 636, '–': 500, '·': 318, '…': 1000, '→': 838 };

/** The width a string takes in DejaVu Sans at `size` px. */
export function textWidth(s: string, size: number, weight: 'bold' | 'normal' = 'normal'): number {
  const table = weight === 'bold' ? BOLD : REGULAR;
  let em = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    em += c >= 32 && c < 127 ? table[c - 32]! : (OTHER[ch] ?? 838);
  }
  return (em / 1000) * size;
}

/** `s` cut with an ellipsis so that it fits `width` px. */
export function fitText(s: string, width: number, size: number, weight: 'bold' | 'normal' = 'normal'): string {
  if (textWidth(s, size, weight) <= width) return s;
  let out = s;
  while (out.length > 1 && textWidth(`${out}…`, size, weight) > width) out = out.slice(0, -1);
  return `${out.trimEnd()}…`;
}

/** Round ticks from 0 (or `min`) up to at least `max`: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(max: number, count = 5, min = 0): number[] {
  const span = Math.max(max - min, 1e-9);
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let t = start; t < max + step * 0.999; t += step) ticks.push(Math.round(t / step) * step);
  return ticks;
}

/** Ticks 1-2-5 per decade between `lo` and `hi` on a log axis, thinned to at most `max`. */
export function logTicks(lo: number, hi: number, candidates: readonly number[], max = 6): number[] {
  const inRange = candidates.filter((t) => t >= lo && t <= hi);
  if (inRange.length <= max) return inRange;
  const stride = Math.ceil(inRange.length / max);
  return inRange.filter((_, i) => i % stride === 0);
}

/** A label's box, for keeping labels apart. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** One part of a chart, drawn in its own coordinates (0..WIDTH by 0..height). */
export interface Panel {
  height: number;
  svg: string;
  /** One sentence for the alt text: the machines and the figures shown. */
  alt: string;
  /** Every figure the panel prints, for tests and the alt text's checks. */
  figures: string[];
}

/** A legend row of machine swatches, wrapping to a second line if needed; returns its svg and height. */
export function legend(
  entries: readonly { label: string; color: string; kind?: 'line' | 'dot' | 'dash' }[],
  y: number,
  x0 = PLOT_LEFT,
): { svg: string; height: number } {
  const parts: string[] = [];
  let x = x0;
  let row = 0;
  for (const e of entries) {
    const w = 22 + textWidth(e.label, TYPE.label) + 14;
    if (x + w > WIDTH - 8 && x > x0) {
      x = x0;
      row++;
    }
    const cy = y + row * 18 - 4;
    if (e.kind === 'dot') parts.push(circle(x + 8, cy, 5, e.color));
    else
      parts.push(
        line(x, cy, x + 16, cy, { stroke: e.color, width: 3.5, ...(e.kind === 'dash' ? { dash: '5 3' } : {}) }),
      );
    parts.push(text(x + 22, y + row * 18, e.label, { size: TYPE.label }));
    x += w;
  }
  return { svg: parts.join(''), height: (row + 1) * 18 };
}
