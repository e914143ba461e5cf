/** One chart image: a title, a subtitle, panels stacked top to bottom, and a footer line. */
import { FONT_FAMILY, fitText, textWidth, GRID, line, MUTED, num, text, TYPE, WIDTH, type Panel } from './svg.js';

const GAP = 16;

export function composeSvg(title: string, subtitle: string | null, panels: readonly Panel[], footer: string): string {
  const parts: string[] = [
    text(8, 22, fitText(title, WIDTH - 16, TYPE.title, 'bold'), { size: TYPE.title, weight: 'bold' }),
  ];
  let y = 30;
  for (const l of wrap(subtitle ?? '', WIDTH - 16, 2)) {
    parts.push(text(8, y + 16, l, { fill: MUTED }));
    y += 16;
  }
  if (subtitle) y += 8;
  panels.forEach((p, i) => {
    if (i > 0) {
      parts.push(line(8, y + GAP / 2, WIDTH - 8, y + GAP / 2, { stroke: GRID }));
      y += GAP;
    }
    parts.push(`<g transform="translate(0 ${num(y + 6)})">${p.svg}</g>`);
    y += 6 + p.height;
  });
  y += 10;
  parts.push(text(8, y + 12, fitText(footer, WIDTH - 16, TYPE.tick), { fill: MUTED }));
  const height = Math.ceil(y + 20);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
  ].join('');
}

/** Words into at most `max` lines of `width` px at the tick size, the last cut with an ellipsis. */
export function wrap(s: string, width: number, max: number): string[] {
  const lines: string[] = [];
  let cur = '';
  const words = s.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const next = cur ? `${cur} ${words[i]}` : words[i]!;
    if (textWidth(next, TYPE.tick) <= width || !cur) {
      cur = next;
      continue;
    }
    lines.push(cur);
    cur = words[i]!;
    if (lines.length === max - 1) {
      lines.push(fitText(words.slice(i).join(' '), width, TYPE.tick));
      return lines;
    }
  }
  if (cur) lines.push(fitText(cur, width, TYPE.tick));
  return lines;
}
